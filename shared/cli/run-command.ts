import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Engine } from '../engines/engine.js';
import type { Logger } from '../log.js';
import { loadNotifyConfig } from '../notify/notify-config.js';
import { notifyOutcome } from '../notify/notify-outcome.js';
import { writeReport } from '../report/index.js';
import { DROP_BUCKET, openLocalEnvironment } from '../runner/local-env.js';
import { reopenFailedJobs } from '../runner/reopen-failed.js';
import { type RunEntry, runFolder, summarize } from '../runner/run-folder.js';
import { watchFolder } from '../runner/watch-folder.js';
import {
  baseOptionsOf,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
  requireFolder,
} from './command.js';
import { describeOutcome } from './format.js';
import { cliNotifier } from './notify-option.js';
import type { Progress } from './progress.js';
import { describeReport } from './report-command.js';

/** `darkroom run --help`. */
export const help = `Usage: darkroom run <dropDir> [--out <resultsDir>] [--watch] [--engine <name>] [--notify-url <url>] [--retry-failed]

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

/** The options of `darkroom run`. */
export const options = {
  ...COMMON_OPTIONS,
  watch: { type: 'boolean', default: false },
  'retry-failed': { type: 'boolean', default: false },
  'notify-url': { type: 'string' },
} as const;

/**
 * `darkroom run <dropDir>` from the command line.
 * @throws UsageError for a missing or extra argument, or a drop folder that does not exist
 */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [dropDir = ''] = positionalsOf(args, { min: 1, max: 1 });
  await requireFolder(args, dropDir);
  const signal = context.interrupted();
  const watch = args.values.watch === true;
  return runCommand({
    ...baseOptionsOf(context),
    dropDir,
    watch,
    signal,
    progress: watch ? undefined : context.progress('files'),
    notifyUrl: args.values['notify-url'] as string | undefined,
    retryFailed: args.values['retry-failed'] === true,
  });
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  dropDir: string;
  resultsDir: string;
  watch: boolean;
  log: Logger;
  /** Where human output goes. */
  print: (line: string) => void;
  /** Stops watching. */
  signal?: AbortSignal;
  engines?: Engine[];
  concurrency?: number;
  /** A progress bar for the batch (see shared/cli/progress.ts); lines are printed above it. */
  progress?: Progress;
  /** Write `<resultsDir>/index.html` after the run and after each watched arrival (default true). */
  report?: boolean;
  /** `--notify-url`: a signed webhook for every job's outcome (see docs/integrations.md). */
  notifyUrl?: string | undefined;
  /** Give the folder's failed jobs another attempt first (see {@link reopenFailedJobs}). */
  retryFailed?: boolean;
}

/**
 * `darkroom run <dropDir>`: processes every pair in the folder, then (with `--watch`)
 * keeps processing arrivals until stopped.
 * @returns the process exit code: 0 when every job of the folder has succeeded (now or before),
 *   1 when one failed (in this run or an earlier one) or must be retried
 */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const resultsDir = resolve(options.resultsDir);
  const env = await openLocalEnvironment({
    config: options.config,
    env: options.env,
    dropDir: options.dropDir,
    resultsDir,
    log: options.log,
    engines: options.engines,
  });
  const progress = options.progress;
  const print = (line: string) =>
    progress ? progress.interrupt(() => options.print(line)) : options.print(line);
  const report = async () => {
    if (options.report === false) return;
    print(`Report: ${describeReport(await writeReport({ lineage: env.deps.lineage, resultsDir }))}`);
  };
  try {
    env.deps.webhookHosts = loadNotifyConfig(options.env).webhook.hosts;
    const notify = cliNotifier({
      env: options.env,
      notifyUrl: options.notifyUrl,
      lineage: env.deps.lineage,
      log: options.log,
    });
    if (options.retryFailed) {
      const { reopened, exhausted } = await reopenFailedJobs(env.deps, { bucket: DROP_BUCKET });
      print(
        `Retrying ${reopened.length} failed job(s)${reopened.length ? `: ${reopened.map((j) => j.id).join(', ')}` : ''}`,
      );
      for (const job of exhausted) {
        print(
          `  job ${job.id} (${job.sourceKey}) used all ${options.config.maxAttempts} attempts; revise its sidecar to run it again`,
        );
      }
    }
    // Jobs this run started: a later arrival of the same pair is part of them, not "already" done.
    const started = new Set<string>();
    const onEntry = async (entry: RunEntry) => {
      const { outcome } = entry;
      if (notify) await notifyOutcome(notify, outcome);
      if (outcome.kind === 'succeeded' || outcome.kind === 'failed') started.add(outcome.jobId);
      if (outcome.kind === 'duplicate' && started.has(outcome.jobId)) {
        print(`= ${entry.object}: part of job ${outcome.jobId} above`);
      } else if (outcome.kind !== 'ignored') print(describeOutcome(entry.object, outcome, resultsDir));
      if ('jobId' in entry.outcome && entry.outcome.kind !== 'duplicate') await env.persist();
    };
    const entries = await runFolder(env.deps, {
      bucket: DROP_BUCKET,
      onEntry: async (entry, done, total) => {
        await onEntry(entry);
        progress?.update(done, total);
      },
      concurrency: options.concurrency,
    });
    progress?.stop();
    const counts = summarize(entries);
    const alreadyFailed = new Set(
      entries.flatMap((e) =>
        e.outcome.kind === 'duplicate' && e.outcome.status === 'failed' && !started.has(e.outcome.jobId)
          ? [e.outcome.jobId]
          : [],
      ),
    ).size;
    options.print(
      `\n${counts.jobs} job(s): ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.duplicate} already done` +
        `${alreadyFailed ? ` (${alreadyFailed} of them failed: fix the cause, then run again with --retry-failed)` : ''}` +
        `${counts.retry ? `, ${counts.retry} to retry` : ''}${counts.waiting ? `, ${counts.waiting} waiting` : ''}` +
        `${counts['waiting-batch'] ? `, ${counts['waiting-batch']} waiting-batch` : ''}`,
    );
    options.print(`Results are in ${resultsDir}`);
    await report();
    if (options.watch && options.signal) {
      options.print(`Watching ${resolve(options.dropDir)} for new files (Ctrl-C to stop)…`);
      await watchFolder(env.deps, {
        bucket: DROP_BUCKET,
        signal: options.signal,
        onEntry: async (entry) => {
          await onEntry(entry);
          if ('jobId' in entry.outcome && entry.outcome.kind !== 'duplicate') await report();
        },
      });
    }
    return counts.failed > 0 || counts.retry > 0 || alreadyFailed > 0 ? 1 : 0;
  } finally {
    // A run that throws must not leave the bar on the line of the error message.
    progress?.stop();
    await env.close();
  }
}
