#!/usr/bin/env node
import * as backfill from '../shared/cli/backfill-command.js';
import * as batch from '../shared/cli/batch-command.js';
import * as lineage from '../shared/cli/lineage-command.js';
import * as report from '../shared/cli/report-command.js';
import { exitCodeOf, runCli } from '../shared/cli/run-cli.js';
import * as run from '../shared/cli/run-command.js';
import * as validate from '../shared/cli/validate-command.js';

const commands = { run, backfill, validate, report, lineage, batch };

// `darkroom lineage … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

runCli(process.argv.slice(2), {
  commands,
  env: process.env,
  print: (line) => console.log(line),
  stderr: process.stderr,
  onInterrupt: (abort) => {
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`darkroom: ${(err as Error)?.message ?? err}`);
    process.exitCode = exitCodeOf(err);
  },
);
