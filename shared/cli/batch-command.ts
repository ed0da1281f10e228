import type { BatchClient } from '../batch/batch-client.js';
import { cancelBatch } from '../batch/cancel.js';
import { pollBatches } from '../batch/poll.js';
import { type BatchDeps, submitBatches } from '../batch/submit.js';
import type { Config } from '../config.js';
import { createGeminiBatchClient } from '../engines/gemini/batch-client.js';
import type { Logger } from '../log.js';
import { openLocalEnvironment } from '../runner/local-env.js';
import {
  baseOptionsOf,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
} from './command.js';

/** `darkroom batch --help`. */
export const help = `Usage: darkroom batch <submit | status | cancel <id>> --drop <dropDir> [--out <resultsDir>] [--force]

The batch lane (docs/batch.md): stages of requests with "lane": "batch" wait for a Gemini
batch job at half the price instead of calling the model now.

  submit         group the waiting stages into batch jobs and create them: when
                 BATCH_MIN_REQUESTS wait or the oldest waited BATCH_MAX_WAIT_SECONDS
                 (--force: whatever waits). Never creates a batch twice.
  status         poll the live batch jobs; apply finished ones and continue their jobs
                 (the jobs' inputs are read from --drop)
  cancel <id>    cancel a batch job; its stages fail with BATCH_CANCELLED at the next
                 status and are never resubmitted (the batch records who cancelled it)

Exit codes: 0 done, 1 a batch create had no answer (run submit again) or a job failed.`;

/** The options of `darkroom batch`. */
export const options = {
  ...COMMON_OPTIONS,
  drop: { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

const ACTIONS = ['submit', 'status', 'cancel'];

/** `darkroom batch submit | status | cancel <id>` from the command line. */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [action = '', id] = positionalsOf(args, { min: 1, max: 2 });
  if (id !== undefined && action !== 'cancel') args.usage(`unexpected argument "${id}"`);
  if (!ACTIONS.includes(action)) args.usage(`unknown action "${action}"`);
  if (action === 'cancel' && id === undefined) args.usage('cancel needs a batch id');
  return batchCommand({
    ...baseOptionsOf(context),
    action,
    id,
    dropDir: args.values.drop as string | undefined,
    force: args.values.force === true,
  });
}

/** Options of {@link batchCommand}. */
export interface BatchCommandOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  action: string;
  /** The batch id (`darkroom-…`) for `cancel`. */
  id?: string | undefined;
  dropDir?: string | undefined;
  resultsDir: string;
  force?: boolean | undefined;
  log: Logger;
  print: (line: string) => void;
  /** The batch service (tests inject one; default Gemini from the environment). */
  client?: BatchClient | undefined;
}

/**
 * `darkroom batch submit | status | cancel <id>` on the local runner's lineage.
 * @returns the exit code
 */
export async function batchCommand(options: BatchCommandOptions): Promise<number> {
  const local = await openLocalEnvironment({
    config: options.config,
    env: options.env,
    dropDir: options.dropDir,
    resultsDir: options.resultsDir,
    log: options.log,
  });
  try {
    const deps = {
      ...local.deps,
      batches: local.deps.batches,
      batchClient: options.client ?? createGeminiBatchClient({ env: options.env }),
    } as BatchDeps;
    const { print } = options;
    if (options.action === 'submit') {
      const report = await submitBatches(deps, { force: options.force });
      for (const id of report.recovered)
        print(`↺ ${id}: found by its display name after an unanswered create`);
      for (const id of report.submitted) print(`→ ${id} submitted`);
      for (const [model, n] of Object.entries(report.waiting))
        print(`· ${n} stage(s) of ${model} keep waiting (below the thresholds)`);
      for (const u of report.unknown) print(`? ${u.id}: create had no answer (${u.error}); run submit again`);
      if (report.submitted.length + report.recovered.length === 0 && report.unknown.length === 0) {
        if (Object.keys(report.waiting).length === 0) print('Nothing waits for a batch.');
      }
      return report.unknown.length > 0 ? 1 : 0;
    }
    if (options.action === 'status') {
      const report = await pollBatches(deps);
      for (const b of report.batches) print(`${b.id}  ${b.state}  ${b.requests} request(s)  ${b.name ?? ''}`);
      if (report.batches.length === 0) print('No live batch jobs.');
      let failed = 0;
      for (const r of report.resumed) {
        if (r.kind !== 'ran') continue;
        const o = r.outcome;
        print(
          `  job ${r.jobId}: ${o.kind}${o.kind === 'failed' ? ` ${o.error.code}: ${o.error.message}` : ''}`,
        );
        if (o.kind === 'failed' || o.kind === 'retry') failed += 1;
      }
      const waiting = await deps.batches.listMembers({ state: 'waiting' });
      if (waiting.length > 0) print(`${waiting.length} stage(s) wait to be submitted.`);
      return failed > 0 ? 1 : 0;
    }
    const cancelled = options.id
      ? await cancelBatch(deps, options.id, { by: options.env.USER || options.env.USERNAME || 'a user' })
      : undefined;
    if (cancelled?.kind !== 'cancelled') {
      print(`No live batch job ${options.id ?? ''}.`);
      return 1;
    }
    print(
      `✘ ${cancelled.id} (${cancelled.name}) cancelled; run \`darkroom batch status\` to fail its stages (never resubmitted).`,
    );
    return 0;
  } finally {
    await local.close();
  }
}
