import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Engine } from '../engines/engine.js';
import type { Logger } from '../log.js';
import {
  handleObject,
  jobIdFor,
  type Outcome,
  type PipelineDeps,
  pairObject,
  refOf,
  routeObject,
} from '../pipeline/index.js';
import { writeReport } from '../report/index.js';
import { DROP_BUCKET, openLocalEnvironment } from '../runner/local-env.js';
import type { ObjectInfo } from '../storage/object-store.js';
import {
  baseOptionsOf,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
  requireFolder,
} from './command.js';
import { estimateRequestCost, formatUsd } from './estimate-cost.js';
import { describeOutcome } from './format.js';
import type { Progress } from './progress.js';
import { describeReport } from './report-command.js';

/** `darkroom backfill --help`. */
export const help = `Usage: darkroom backfill <prefix> --drop <dir> [--out <resultsDir>] [--dry-run]
                        [--max-jobs <n>] [--max-cost <usd>] [--engine <name>]

Processes uploads that are already in the drop folder under <prefix> (e.g. "products/",
or "." for everything), explicitly: uploads never trigger a run by themselves once they
have been missed. Jobs already finished are skipped. Stops before the job that would
exceed a cap, and says so.

Options:
  --drop <dir>      the drop folder (required)
  --out <dir>       results folder (default: results)
  --dry-run         list the jobs it would run and their estimated cost; run nothing
  --max-jobs <n>    run at most n jobs
  --max-cost <usd>  never start a job whose estimate would take the total past <usd>
                    (jobs with a cost that cannot be known in advance are not started)
  --engine <name>   engine for requests that name none (default: local)
  -h, --help        show this help

Exit codes: 0 done, 1 a job failed or must be retried, 2 usage error,
            3 stopped at a cap with jobs left (run again to continue).`;

/** The options of `darkroom backfill`. */
export const options = {
  ...COMMON_OPTIONS,
  drop: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'max-jobs': { type: 'string' },
  'max-cost': { type: 'string' },
} as const;

/** `darkroom backfill <prefix> --drop <dir>` from the command line. */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [prefix = ''] = positionalsOf(args, { min: 1, max: 1 });
  const drop = args.values.drop;
  if (typeof drop !== 'string') return args.usage('missing --drop <dir>');
  await requireFolder(args, drop);
  const maxJobs = args.number('max-jobs');
  if (maxJobs !== undefined && !Number.isInteger(maxJobs)) args.usage('--max-jobs must be a whole number');
  return backfillCommand({
    ...baseOptionsOf(context),
    dropDir: drop,
    prefix,
    dryRun: args.values['dry-run'] === true,
    maxJobs,
    maxCostUsd: args.number('max-cost'),
    progress: context.progress('jobs'),
  });
}

/** One job a backfill would run. */
export interface BackfillJob {
  jobId: string;
  /** The object delivered to the pipeline (the image, or the sidecar when there is none). */
  trigger: ObjectInfo;
  image?: ObjectInfo | undefined;
  request: ObjectInfo;
  stages: number;
  /** Estimated cost in US dollars; undefined when a stage's cost cannot be known in advance. */
  estimateUsd: number | undefined;
  /** Both lanes' prices, and the lane the request runs in (its estimate is that lane's price). */
  prices?: { lane: 'interactive' | 'batch'; interactiveUsd: number; batchUsd: number } | undefined;
  /** Why the job will fail without any engine call, when it will. */
  problem?: string | undefined;
}

/** What a backfill finds under a prefix. */
export interface BackfillPlan {
  jobs: BackfillJob[];
  /** Jobs already finished, skipped. */
  done: { jobId: string; status: string; name: string }[];
  /** Inputs that are not part of any job (no sidecar or recipe). */
  skipped: { name: string; reason: string }[];
}

/**
 * Lists the jobs under a prefix as the pipeline would form them (image ⇄ sidecar or recipe),
 * once each, with their estimated cost; jobs already in lineage as finished are set apart.
 */
export async function planBackfill(
  deps: PipelineDeps,
  options: { bucket: string; prefix: string },
): Promise<BackfillPlan> {
  const plan: BackfillPlan = { jobs: [], done: [], skipped: [] };
  const seen = new Set<string>();
  const objects = await deps.store.list(options.bucket, options.prefix);
  const defaults = { engine: deps.config.defaultEngine, geminiModel: deps.config.geminiModel };
  for (const object of objects) {
    const kind = routeObject(object, { results: deps.results }).kind;
    if (kind !== 'input' && kind !== 'sidecar') continue;
    const pairing = await pairObject(object, {
      store: deps.store,
      maxRequestBytes: deps.config.limits.maxRequestBytes,
    });
    if (pairing.kind === 'wait' && kind === 'input') {
      plan.skipped.push({ name: object.name, reason: pairing.reason });
      continue;
    }
    const image = pairing.kind === 'wait' ? undefined : pairing.image;
    const request = pairing.kind === 'wait' ? object : pairing.request;
    const jobId = jobIdFor({ image: image && refOf(image), request: refOf(request) });
    if (seen.has(jobId)) continue;
    seen.add(jobId);
    const existing = await deps.lineage.getJob(jobId);
    if (existing && existing.status !== 'running') {
      plan.done.push({ jobId, status: existing.status, name: (image ?? request).name });
      continue;
    }
    const base = { jobId, trigger: image ?? request, image, request };
    if (pairing.kind === 'job' && pairing.parsed.kind === 'request') {
      const request = pairing.parsed.request;
      const estimate = estimateRequestCost(request, defaults);
      const lane = request.lane ?? deps.config.defaultLane;
      plan.jobs.push({
        ...base,
        stages: request.stages.length,
        estimateUsd: estimate.complete
          ? lane === 'batch'
            ? estimate.batchUsd
            : estimate.knownUsd
          : undefined,
        prices: { lane, interactiveUsd: estimate.knownUsd, batchUsd: estimate.batchUsd },
      });
    } else {
      const problem =
        pairing.kind === 'wait'
          ? pairing.reason
          : pairing.kind === 'invalid'
            ? pairing.error.message
            : pairing.parsed.kind === 'invalid'
              ? pairing.parsed.error.message
              : '';
      plan.jobs.push({
        ...base,
        stages: 0,
        estimateUsd: 0,
        problem: problem || undefined,
      });
    }
  }
  return plan;
}

/** Caps of a backfill. */
export interface BackfillCaps {
  maxJobs?: number | undefined;
  maxCostUsd?: number | undefined;
}

/**
 * Why the next job must not start, or undefined when it may.
 * @param ran jobs already run; `spentUsd` their cost so far
 */
export function capReached(
  job: BackfillJob,
  caps: BackfillCaps,
  ran: number,
  spentUsd: number,
): string | undefined {
  if (caps.maxJobs !== undefined && ran >= caps.maxJobs) return `--max-jobs ${caps.maxJobs} reached`;
  if (caps.maxCostUsd === undefined) return undefined;
  if (job.estimateUsd === undefined) {
    return `job ${job.jobId} has a stage whose cost cannot be known in advance, so --max-cost ${formatUsd(caps.maxCostUsd)} cannot be guaranteed`;
  }
  const total = spentUsd + job.estimateUsd;
  if (total > caps.maxCostUsd + 1e-9) {
    return `job ${job.jobId} (estimated ${formatUsd(job.estimateUsd)}) would bring the total to ${formatUsd(total)}, over --max-cost ${formatUsd(caps.maxCostUsd)}`;
  }
  return undefined;
}

/** Options of {@link backfillCommand}. */
export interface BackfillCommandOptions extends BackfillCaps {
  config: Config;
  env: NodeJS.ProcessEnv;
  dropDir: string;
  prefix: string;
  resultsDir: string;
  dryRun: boolean;
  log: Logger;
  print: (line: string) => void;
  progress?: Progress | undefined;
  engines?: Engine[] | undefined;
}

/**
 * `darkroom backfill <prefix> --drop <dir>`.
 * @returns 0 done, 1 a job failed or must be retried, 3 stopped at a cap with jobs left
 */
export async function backfillCommand(options: BackfillCommandOptions): Promise<number> {
  const resultsDir = resolve(options.resultsDir);
  const prefix = options.prefix.replace(/^\.?\/+/, '').replace(/^\.$/, '');
  const env = await openLocalEnvironment({ ...options, resultsDir, dropDir: options.dropDir });
  const label = prefix ? `"${prefix}"` : 'the whole drop folder';
  const say = (line: string) =>
    options.progress ? options.progress.interrupt(() => options.print(line)) : options.print(line);
  try {
    const plan = await planBackfill(env.deps, { bucket: DROP_BUCKET, prefix });
    for (const s of plan.skipped) say(`· ${s.name}: skipped (${s.reason})`);
    if (plan.done.length) say(`${plan.done.length} job(s) under ${label} already finished; skipped.`);
    if (options.dryRun) return _dryRun(plan, options, say);
    let ran = 0;
    let spent = 0;
    let failures = 0;
    let stopped: string | undefined;
    for (const job of plan.jobs) {
      stopped = capReached(job, options, ran, spent);
      if (stopped) break;
      const outcome: Outcome = await handleObject(
        env.deps,
        {
          bucket: job.trigger.bucket,
          name: job.trigger.name,
          generation: job.trigger.generation,
          metadata: job.trigger.metadata,
        },
        { failOnMissingImage: true },
      );
      ran += 1;
      spent += (await env.deps.lineage.getJob(job.jobId))?.costUsd ?? job.estimateUsd ?? 0;
      if (outcome.kind === 'failed' || outcome.kind === 'retry') failures += 1;
      say(describeOutcome(job.trigger.name, outcome, resultsDir));
      await env.persist();
      options.progress?.update(ran, plan.jobs.length);
    }
    options.progress?.stop();
    const left = plan.jobs.length - ran;
    say(`\nbackfill ${label}: ${ran} job(s) run, ${failures} failed or to retry, cost ${formatUsd(spent)}`);
    if (stopped) say(`Stopped: ${stopped}. ${left} job(s) not started; run again to continue.`);
    const written = await writeReport({ lineage: env.deps.lineage, resultsDir });
    say(`Report: ${describeReport(written)}`);
    if (failures > 0) return 1;
    return stopped && left > 0 ? 3 : 0;
  } finally {
    options.progress?.stop();
    // A dry run only looks: it leaves no lineage snapshot (nor a results folder) behind.
    await env.close({ persist: !options.dryRun });
  }
}

function _dryRun(plan: BackfillPlan, caps: BackfillCaps, say: (line: string) => void): number {
  let ran = 0;
  let spent = 0;
  let stopped: string | undefined;
  for (const job of plan.jobs) {
    stopped ??= capReached(job, caps, ran, spent);
    const what = job.problem
      ? `would fail: ${job.problem}`
      : `${job.stages} stage(s), estimated ${formatUsd(job.estimateUsd)}${
          job.prices
            ? ` (${job.prices.lane} lane; interactive ${formatUsd(job.prices.interactiveUsd)}, batch ${formatUsd(job.prices.batchUsd)})`
            : ''
        }`;
    say(`${stopped ? '✋ over cap ' : '→ would run'} ${job.jobId}  ${job.trigger.name}  ${what}`);
    if (!stopped) {
      ran += 1;
      spent += job.estimateUsd ?? 0;
    }
  }
  say(
    `\nDry run: ${ran} of ${plan.jobs.length} job(s) would run, estimated ${formatUsd(spent)}; nothing was run.`,
  );
  if (stopped) say(`A real run would stop there: ${stopped}.`);
  return 0;
}
