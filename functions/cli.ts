#!/usr/bin/env node
import { stat } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BACKFILL_HELP, backfillCommand } from '../shared/cli/backfill-command.js';
import { BATCH_HELP, batchCommand } from '../shared/cli/batch-command.js';
import { lineageCommand } from '../shared/cli/lineage-command.js';
import { createProgress } from '../shared/cli/progress.js';
import { REPORT_HELP, reportCommand } from '../shared/cli/report-command.js';
import { runCommand } from '../shared/cli/run-command.js';
import { VALIDATE_HELP, validateCommand } from '../shared/cli/validate-command.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { createLogger, resolveLogFormat } from '../shared/log.js';

const HELP = `darkroom — event-driven image editing, run locally

Usage: darkroom <command> [options]    (darkroom <command> --help for details)

Commands:
  run <dropDir>             process every image + sidecar (or recipe) pair, then write the report
  backfill <prefix> --drop <dir>
                            process existing uploads under a prefix, with --dry-run and caps
  validate <sidecar.json>   check a sidecar or recipe: errors, effective prompts, warnings, cost
  report [<resultsDir>]     write <resultsDir>/index.html, the page of every job
  lineage <file | jobId>    print the jobs, stages and inputs behind an output
  batch submit|status|cancel <id> --drop <dir>
                            the batch lane: submit waiting stages, poll and apply, cancel

Options everywhere: --out <resultsDir> (default results), --engine <name>, -h/--help.
Exit codes: 0 success, 1 a job or check failed, 2 usage or configuration error,
3 backfill stopped at a cap. Environment variables: see README.md (Configuration).`;

const RUN_HELP = `Usage: darkroom run <dropDir> [--out <resultsDir>] [--watch] [--engine <name>] [--notify-url <url>] [--retry-failed]

Processes every image + sidecar (or recipe) pair already in <dropDir>; with --watch, keeps
processing new arrivals until Ctrl-C. Writes results, manifests and lineage to <resultsDir>
and the report page <resultsDir>/index.html. A progress bar shows on a terminal (not in CI).

Options:
  --out <dir>       results folder (default: results)
  --engine <name>   engine for requests that name none: local, gemini, replicate (default: local)
  --watch           keep watching the drop folder
  --notify-url <u>  POST each job's outcome there, signed (needs WEBHOOK_SECRET; see docs/integrations.md)
  --retry-failed    give the folder's failed jobs another attempt (after fixing a key, a
                    permission or a quota); a failed job is otherwise final
  -h, --help        show this help

Exit codes: 0 every job of the folder has succeeded (in this run or before), 1 a job failed
(in this run or before) or must be retried, 2 usage or configuration error.`;

const LINEAGE_HELP = `Usage: darkroom lineage <output file | job id> [--out <resultsDir>]

Prints the job behind an output file (found by its SHA-256) or a job id: its inputs, request,
stages (prompt, seed, engine/model, cost) and, recursively, the jobs that made its inputs.

Exit codes: 0 found, 1 nothing known about the target.`;

const COMMON = {
  out: { type: 'string', default: 'results' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const COMMANDS = {
  run: {
    help: RUN_HELP,
    options: {
      ...COMMON,
      watch: { type: 'boolean', default: false },
      'retry-failed': { type: 'boolean', default: false },
      'notify-url': { type: 'string' },
    },
  },
  lineage: { help: LINEAGE_HELP, options: COMMON },
  report: { help: REPORT_HELP, options: { ...COMMON, limit: { type: 'string' } } },
  validate: { help: VALIDATE_HELP, options: COMMON },
  backfill: {
    help: BACKFILL_HELP,
    options: {
      ...COMMON,
      drop: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'max-jobs': { type: 'string' },
      'max-cost': { type: 'string' },
    },
  },
  batch: {
    help: BATCH_HELP,
    options: { ...COMMON, drop: { type: 'string' }, force: { type: 'boolean', default: false } },
  },
} satisfies Record<string, { help: string; options: ParseArgsConfig['options'] }>;

class UsageError extends Error {}

const ENGINES = ['local', 'gemini', 'replicate'] as const;

/** Parses a command's arguments; a parser complaint comes back as the command's usage. */
function _parse(
  command: string,
  args: string[],
  spec: { help: string; options: ParseArgsConfig['options'] },
) {
  try {
    return parseArgs({ args, options: spec.options, allowPositionals: true });
  } catch (err) {
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    const what = unknown ? `unknown option "${unknown}"` : (err as Error).message;
    throw new UsageError(`${command}: ${what}\n\n${spec.help}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    const topic = command === 'help' && rest[0] ? COMMANDS[rest[0] as keyof typeof COMMANDS] : undefined;
    console.log(topic?.help ?? HELP);
    return command ? 0 : 2;
  }
  if (!(command in COMMANDS)) throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
  const spec = COMMANDS[command as keyof typeof COMMANDS];
  const { values: v, positionals } = _parse(command, rest, spec);
  const values = v as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(spec.help);
    return 0;
  }
  const [target, extra] = positionals;
  const out = String(values.out);
  const needs = (ok: unknown, what: string) => {
    if (!ok) throw new UsageError(`${command}: ${what}\n\n${spec.help}`);
  };
  needs(
    extra === undefined || (command === 'batch' && target === 'cancel'),
    `unexpected argument "${extra}"`,
  );
  needs(target !== undefined || command === 'report', 'missing argument');
  const engine = values.engine as string | undefined;
  needs(
    engine === undefined || (ENGINES as readonly string[]).includes(engine),
    `--engine must be one of ${ENGINES.join(', ')} (got "${engine}")`,
  );
  const env = {
    ...process.env,
    DARKROOM_ENGINE: (values.engine as string) ?? process.env.DARKROOM_ENGINE ?? 'local',
  };
  const config = loadConfig(env);
  const log = createLogger({
    format: resolveLogFormat({ format: config.log.format, isTTY: process.stderr.isTTY === true }),
    // Commands print one line per job themselves; pipeline logs are for debugging.
    level: process.env.LOG_LEVEL ? config.log.level : 'error',
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const print = (line: string) => console.log(line);
  const num = (name: string) => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    needs(raw.trim() !== '' && Number.isFinite(n) && n >= 0, `--${name} must be a number ≥ 0 (got "${raw}")`);
    return n;
  };
  const progress = (unit: string) => createProgress({ stream: process.stderr, env: process.env, unit });
  const base = { config, env, log, print, resultsDir: out };
  switch (command) {
    case 'run': {
      // A mistyped drop folder would otherwise "succeed" with 0 jobs.
      const folder = await stat(target as string).catch(() => undefined);
      needs(folder?.isDirectory(), `the drop folder "${target}" does not exist or is not a folder`);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      const watch = values.watch === true;
      const bar = watch ? undefined : progress('files');
      return runCommand({
        ...base,
        dropDir: target as string,
        watch,
        signal: controller.signal,
        progress: bar,
        notifyUrl: values['notify-url'] as string | undefined,
        retryFailed: values['retry-failed'] === true,
      });
    }
    case 'lineage':
      return lineageCommand({ ...base, target: target as string });
    case 'report':
      return reportCommand({ ...base, resultsDir: target ?? out, limit: num('limit') });
    case 'validate':
      return validateCommand({ config, env, file: target as string, print });
    case 'batch':
      needs(['submit', 'status', 'cancel'].includes(target as string), `unknown action "${target}"`);
      needs(target !== 'cancel' || extra !== undefined, 'cancel needs a batch id');
      return batchCommand({
        ...base,
        action: target as string,
        id: extra,
        dropDir: values.drop as string | undefined,
        force: values.force === true,
      });
    case 'backfill': {
      needs(typeof values.drop === 'string', 'missing --drop <dir>');
      const drop = await stat(values.drop as string).catch(() => undefined);
      needs(drop?.isDirectory(), `the drop folder "${values.drop}" does not exist or is not a folder`);
      const maxJobs = num('max-jobs');
      needs(maxJobs === undefined || Number.isInteger(maxJobs), '--max-jobs must be a whole number');
      return backfillCommand({
        ...base,
        dropDir: values.drop as string,
        prefix: target as string,
        dryRun: values['dry-run'] === true,
        maxJobs,
        maxCostUsd: num('max-cost'),
        progress: progress('jobs'),
      });
    }
  }
  return 2;
}

// `darkroom lineage … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(`darkroom: ${(err as Error)?.message ?? err}`);
    process.exitCode = usage || err instanceof ConfigError ? 2 : 1;
  },
);
