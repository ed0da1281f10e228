import * as backfill from './backfill-command.js';
import * as batch from './batch-command.js';
import type { CliCommand } from './command.js';
import * as lineage from './lineage-command.js';
import * as report from './report-command.js';
import * as run from './run-command.js';
import * as validate from './validate-command.js';

/** Every `darkroom` command by name, as `runCli` takes them (`CliIo.commands`). */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  run,
  backfill,
  validate,
  report,
  lineage,
  batch,
};
