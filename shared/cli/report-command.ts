import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { writeReport } from '../report/index.js';
import { openLocalEnvironment, SNAPSHOT_FILE } from '../runner/local-env.js';
import {
  baseOptionsOf,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
} from './command.js';
import { hasSnapshot } from './locate-results.js';

/** `darkroom report --help`. */
export const help = `Usage: darkroom report [<resultsDir>] [--limit <n>]

Writes <resultsDir>/index.html: one self-contained page (no network, no script) listing
every job, newest first, with its status, thumbnails, before/after sheet, each stage's
prompt, seed, engine and model, warnings, cost, lineage links and errors with their codes.
\`darkroom run\` and \`darkroom backfill\` write it after every run; use this command to
rebuild it. Open the file in any browser.

Arguments:
  <resultsDir>     the results folder (default: results, or --out)

Options:
  --limit <n>      list at most the newest n jobs (default 1000)
  -h, --help       show this help

Exit codes: 0 written, 1 the folder does not exist or is not a results folder (nothing is
written into a folder without lineage), 2 usage error.`;

/** The options of `darkroom report`. */
export const options = { ...COMMON_OPTIONS, limit: { type: 'string' } } as const;

/** `darkroom report [<resultsDir>]` from the command line. */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [target] = positionalsOf(args, { min: 0, max: 1 });
  return reportCommand({
    ...baseOptionsOf(context),
    resultsDir: target ?? context.resultsDir,
    limit: args.number('limit'),
  });
}

/** Options of {@link reportCommand}. */
export interface ReportCommandOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  resultsDir: string;
  limit?: number | undefined;
  log: Logger;
  print: (line: string) => void;
}

/**
 * `darkroom report <resultsDir>`: writes the report page from the folder's lineage.
 * @returns the exit code (1 when the folder does not exist)
 */
export async function reportCommand(options: ReportCommandOptions): Promise<number> {
  const resultsDir = resolve(options.resultsDir);
  const isDir = await stat(resultsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    options.print(
      `darkroom report: no results folder at ${resultsDir} (run \`darkroom run <dropDir>\` first)`,
    );
    return 1;
  }
  // A folder that is not a results folder (no lineage kept there) gets no index.html written into it.
  if (!options.env.FIRESTORE_EMULATOR_HOST && !(await hasSnapshot(resultsDir))) {
    options.print(
      `darkroom report: ${resultsDir} is not a results folder (no ${SNAPSHOT_FILE}); nothing written. ` +
        'Give the folder `darkroom run --out` wrote to.',
    );
    return 1;
  }
  const env = await openLocalEnvironment({
    config: options.config,
    env: options.env,
    resultsDir,
    log: options.log,
  });
  try {
    const written = await writeReport({ lineage: env.deps.lineage, resultsDir, limit: options.limit });
    options.print(`Report: ${describeReport(written)}`);
    return 0;
  } finally {
    await env.close();
  }
}

/** `results/index.html (4 jobs: 3 succeeded, 1 failed)`, for the end of a run. */
export function describeReport(written: {
  file: string;
  jobs: number;
  counts: Record<string, number>;
}): string {
  const counts = Object.entries(written.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return `${relative(process.cwd(), written.file) || written.file} (${written.jobs} job${written.jobs === 1 ? '' : 's'}${counts ? `: ${counts}` : ''})`;
}
