import {
  describeError,
  isPermanent,
  PermanentError,
  TransientError,
  type ValidationError,
} from '../errors.js';
import type { JobError, JobRecord, OutputRecord } from '../lineage/records.js';
import type { Request } from '../request/index.js';
import type { ObjectInfo } from '../storage/object-store.js';
import { claimJob, keepLease, ownsJob, SupersededError } from './claim.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { failJob } from './fail.js';
import { jobIdFor } from './identity.js';
import type { JobContext } from './job-context.js';
import { jobPrefix } from './layout.js';
import { pairObject, refOf } from './pair.js';
import { routeObject } from './route.js';
import { runJob } from './run-job.js';

/** An object arrival, from a CloudEvent or a folder scan. */
export interface ObjectEvent {
  bucket: string;
  name: string;
  /** The generation the event names; the pipeline reads exactly that one. */
  generation?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** When the event happened (ISO), for the stale-event cutoff. */
  time?: string | undefined;
}

/** What handling an arrival came to. */
export type Outcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'waiting'; reason: string }
  | { kind: 'succeeded'; jobId: string; prefix: string; outputs: OutputRecord[] }
  | { kind: 'failed'; jobId: string; prefix: string; error: JobError }
  | { kind: 'duplicate'; jobId: string; status: JobRecord['status'] }
  | { kind: 'busy'; jobId: string }
  | { kind: 'retry'; jobId: string; error: TransientError };

/** Options of {@link handleObject}. */
export interface HandleOptions {
  /** Epoch ms by which this invocation must be done (default: now + timeout − margin). */
  deadline?: number;
  /** Treat a sidecar whose image has not arrived as failed instead of waiting (folder scans). */
  failOnMissingImage?: boolean;
}

/**
 * Handles one arrival end to end: route → pair → claim → load → stages → finalize.
 * Never throws for a problem with the input: permanent problems end the job as failed
 * with an `error.json`; transient ones come back as `retry` (the caller rethrows so the
 * platform redelivers).
 */
export async function handleObject(
  deps: PipelineDeps,
  event: ObjectEvent,
  options: HandleOptions = {},
): Promise<Outcome> {
  const log = deps.log.child({ object: `${event.bucket}/${event.name}`, generation: event.generation });
  const route = routeObject(event, { results: deps.results });
  if (route.kind === 'ignore') return ignored(log, route.reason);
  if (route.kind === 'recipe') return ignored(log, 'a recipe triggers nothing by itself');
  if (event.time && nowOf(deps) - Date.parse(event.time) > deps.config.timing.maxEventAgeMs) {
    return ignored(
      log,
      `the event is older than ${deps.config.timing.maxEventAgeMs / 1000}s (MAX_EVENT_AGE_SECONDS)`,
    );
  }
  const arrival = await deps.store.stat({
    bucket: event.bucket,
    name: event.name,
    generation: event.generation,
  });
  if (!arrival) return ignored(log, 'the object was overwritten or deleted since the event');
  // The event may carry no metadata; the stored object says whether the pipeline wrote it.
  const stored = routeObject(arrival, { results: deps.results });
  if (stored.kind === 'ignore') return ignored(log, stored.reason);
  const pairing = await pairObject(arrival, {
    store: deps.store,
    maxRequestBytes: deps.config.limits.maxRequestBytes,
  });
  if (pairing.kind === 'wait') {
    // A non-image file without a sidecar (a README, notes): a sidecar arriving later pairs it.
    if (pairing.unrelated) return ignored(log, pairing.reason);
    if (options.failOnMissingImage && stored.kind === 'sidecar') {
      const error = new PermanentError('SIDECAR_IMAGE_MISSING', `${arrival.name}: ${pairing.reason}`);
      return startJob(deps, log, { request: arrival, parsed: error }, options);
    }
    log.info('waiting', { reason: pairing.reason });
    return { kind: 'waiting', reason: pairing.reason };
  }
  if (pairing.kind === 'invalid') {
    return startJob(
      deps,
      log,
      { request: pairing.request, image: pairing.image, parsed: pairing.error },
      options,
    );
  }
  return startJob(
    deps,
    log,
    {
      request: pairing.request,
      image: pairing.image,
      requestKind: pairing.requestKind,
      parsed: pairing.parsed,
    },
    options,
  );
}

function ignored(log: PipelineDeps['log'], reason: string): Outcome {
  log.info('ignored', { reason });
  return { kind: 'ignored', reason };
}

interface JobInputs {
  request: ObjectInfo;
  image?: ObjectInfo | undefined;
  requestKind?: 'sidecar' | 'recipe' | undefined;
  parsed: Request | ValidationError | PermanentError;
}

async function startJob(
  deps: PipelineDeps,
  parentLog: PipelineDeps['log'],
  inputs: JobInputs,
  options: HandleOptions,
): Promise<Outcome> {
  const now = nowOf(deps);
  const image = inputs.image && refOf(inputs.image);
  const request = refOf(inputs.request);
  const id = jobIdFor({ image, request });
  const sourceName = (inputs.image ?? inputs.request).name;
  const prefix = jobPrefix(deps.results.prefix, sourceName, id);
  const log = parentLog.child({ jobId: id });
  const fresh: JobRecord = {
    id,
    status: 'running',
    inputs: { image, request, requestKind: inputs.requestKind ?? 'sidecar' },
    sourceKey: `${(inputs.image ?? inputs.request).bucket}/${sourceName}`,
    results: { bucket: deps.results.bucket, prefix },
    labels: {},
    attempt: 1,
    owner: deps.owner,
    leaseExpiresAt: new Date(now),
    createdAt: new Date(now),
    updatedAt: new Date(now),
    warnings: [],
  };
  const claim = await claimJob(deps, fresh);
  if (claim.kind === 'finished') {
    log.info('duplicate delivery of a finished job', { status: claim.job.status });
    return { kind: 'duplicate', jobId: id, status: claim.job.status };
  }
  if (claim.kind === 'busy') {
    log.info('job is running elsewhere under a live lease');
    return { kind: 'busy', jobId: id };
  }
  const base = { jobId: id, prefix, source: image ?? request };
  if (claim.kind === 'exhausted') {
    const error = new PermanentError(
      'ATTEMPTS_EXHAUSTED',
      `the job failed transiently ${claim.job.attempt} times (MAX_ATTEMPTS=${deps.config.maxAttempts})`,
    );
    return failed(deps, log, { ...base, error, attempt: claim.job.attempt });
  }
  const ctx: JobContext = {
    deps,
    job: claim.job,
    attempt: claim.attempt,
    log,
    deadline:
      options.deadline ?? now + deps.config.timing.functionTimeoutMs - deps.config.timing.deadlineMarginMs,
    image: inputs.image,
    request: inputs.request,
    prefix,
    startedAt: now,
  };
  log.info('job started', { attempt: claim.attempt });
  const lease = keepLease(deps, { jobId: id, attempt: claim.attempt, log });
  ctx.signal = lease.signal;
  try {
    if (inputs.parsed instanceof PermanentError) throw inputs.parsed;
    const outputs = await runJob(ctx, inputs.parsed);
    log.info('job succeeded', { prefix, outputs: outputs.length });
    return { kind: 'succeeded', jobId: id, prefix, outputs };
  } catch (err) {
    await lease.stop();
    // Fencing: only the current attempt may end the job, whatever this one ran into.
    if (
      err instanceof SupersededError ||
      lease.lost ||
      !(await ownsJob(deps, id, claim.attempt).catch(() => true))
    ) {
      log.warn('a later attempt took the job over; stopping', { attempt: claim.attempt });
      return { kind: 'duplicate', jobId: id, status: 'running' };
    }
    if (isPermanent(err)) {
      return failed(deps, log, { ...base, error: err, attempt: claim.attempt, stage: stageOf(err) });
    }
    return retryLater(deps, ctx, err);
  } finally {
    await lease.stop();
  }
}

async function failed(
  deps: PipelineDeps,
  log: PipelineDeps['log'],
  report: Parameters<typeof failJob>[1],
): Promise<Outcome> {
  const error = await failJob(deps, report);
  log.warn('job failed', { code: error.code, message: error.message });
  return { kind: 'failed', jobId: report.jobId, prefix: report.prefix, error };
}

/** A transient failure: record it, release the lease so a redelivery can resume at once. */
async function retryLater(deps: PipelineDeps, ctx: JobContext, err: unknown): Promise<Outcome> {
  const error =
    err instanceof TransientError
      ? err
      : new TransientError('INTERNAL', `unexpected error: ${describeError(err)}`, { cause: err });
  if (!(err instanceof TransientError)) {
    ctx.log.error('unexpected error', { error: describeError(err), stack: (err as Error)?.stack });
  }
  if (ctx.attempt >= deps.config.maxAttempts) {
    const exhausted = new PermanentError(
      'ATTEMPTS_EXHAUSTED',
      `gave up after ${ctx.attempt} attempts (MAX_ATTEMPTS); last error ${error.code}: ${error.message}`,
      { cause: error },
    );
    return failed(deps, ctx.log, {
      jobId: ctx.job.id,
      prefix: ctx.prefix,
      source: ctx.job.inputs.image ?? ctx.job.inputs.request,
      error: exhausted,
      attempt: ctx.attempt,
    });
  }
  const now = new Date(nowOf(deps));
  await deps.lineage.updateJob(ctx.job.id, {
    error: { code: error.code, message: error.message },
    leaseExpiresAt: now,
    updatedAt: now,
  });
  ctx.log.warn('transient failure; redelivery will resume the job', {
    code: error.code,
    message: error.message,
  });
  return { kind: 'retry', jobId: ctx.job.id, error };
}

function stageOf(err: unknown): number | undefined {
  const stage = (err as { details?: { stage?: unknown } }).details?.stage;
  return typeof stage === 'number' ? stage : undefined;
}
