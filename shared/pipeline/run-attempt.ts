import { isBatchWaiting } from '../batch/lane.js';
import { parkForBatch } from '../batch/park.js';
import { isNotNow } from '../dispatch/dispatcher.js';
import { describeError, isPermanent, PermanentError, TransientError } from '../errors.js';
import type { JobRecord } from '../lineage/records.js';
import type { ObjectInfo } from '../storage/object-store.js';
import { claimJob, keepLease, ownsJob, SupersededError } from './claim.js';
import { completeFromManifest } from './complete-from-manifest.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { ensureErrorReport, failJob } from './fail.js';
import { deferJob, handOff, isHandoff } from './handoff.js';
import { jobIdFor } from './identity.js';
import { createJobContext, type JobContext } from './job-context.js';
import { jobPrefix } from './layout.js';
import { refOf } from './pair.js';
import { countedAttempts, quotaWaitMs } from './quota-wait.js';
import type { ParsedRequest } from './read-request.js';
import { runJob } from './run-job.js';
import type { HandleOptions, Outcome } from './types.js';

/**
 * What a job starts from: its request object, its image when paired, and the parsed request
 * or why it is unusable.
 */
export interface JobInputs {
  request: ObjectInfo;
  image?: ObjectInfo | undefined;
  requestKind?: 'sidecar' | 'recipe' | undefined;
  parsed: ParsedRequest;
}

/**
 * Claims the job of a paired arrival and runs it under a lease: the outcome of one attempt.
 * Permanent errors fail the job (`error.json`); transient ones record the failure and come
 * back as `retry`; an attempt that a later one took over stops as `duplicate`.
 */
export async function runAttempt(
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
    try {
      await ensureErrorReport(deps, claim.job);
    } catch (err) {
      if (err instanceof TransientError) return { kind: 'retry', jobId: id, error: err };
      throw err;
    }
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
      `the job failed transiently ${countedAttempts(claim.job, claim.job.attempt)} times (MAX_ATTEMPTS=${deps.config.maxAttempts})`,
    );
    return failed(deps, log, { ...base, error, attempt: claim.job.attempt });
  }
  const ctx = createJobContext({
    deps,
    job: claim.job,
    attempt: claim.attempt,
    created: claim.created,
    log,
    deadline:
      options.deadline ?? now + deps.config.timing.functionTimeoutMs - deps.config.timing.deadlineMarginMs,
    image: inputs.image,
    request: inputs.request,
    prefix,
    startedAt: now,
    role: options.role,
  });
  log.info('job started', { attempt: claim.attempt });
  const lease = keepLease(deps, { jobId: id, attempt: claim.attempt, log });
  ctx.signal = lease.signal;
  try {
    if (inputs.parsed.kind === 'invalid') throw inputs.parsed.error;
    const outputs = await runJob(ctx, inputs.parsed.request);
    if (isHandoff(outputs)) {
      await lease.stop();
      if (await handOff(ctx, outputs)) {
        return { kind: 'dispatched', jobId: id, stage: outputs.stage.index, queue: outputs.queue };
      }
      return { kind: 'duplicate', jobId: id, status: 'running' };
    }
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
    if (isBatchWaiting(err)) return parkForBatch(ctx, err);
    if (isPermanent(err)) {
      return failed(deps, log, { ...base, error: err, attempt: claim.attempt, stage: stageOf(err) });
    }
    if (ctx.role === 'worker' && err instanceof TransientError && isNotNow(err)) {
      // A `retry` whose error is a "not now": the worker answers 429/503, no attempt counted.
      if (!(await deferJob(ctx, err))) return { kind: 'duplicate', jobId: id, status: 'running' };
      return { kind: 'retry', jobId: id, error: err };
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
  let error: Awaited<ReturnType<typeof failJob>>;
  try {
    // An earlier attempt that wrote the manifest finished the job: that report stands.
    // A manifest that cannot be read for a permanent reason (access denied) is not a success.
    const outputs = await completeFromManifest(deps, report).catch((err: unknown) => {
      if (err instanceof TransientError) throw err;
      return undefined;
    });
    if (outputs) return { kind: 'succeeded', jobId: report.jobId, prefix: report.prefix, outputs };
    error = await failJob(deps, report);
  } catch (err) {
    if (!(err instanceof TransientError)) throw err;
    log.warn('job failed; its report waits for a redelivery', {
      code: report.error.code,
      reason: err.message,
    });
    return { kind: 'retry', jobId: report.jobId, error: err };
  }
  log.warn('job failed', { code: error.code, message: error.message });
  return { kind: 'failed', jobId: report.jobId, prefix: report.prefix, error };
}

/**
 * A transient failure: record it, release the lease so a redelivery can resume at once, or, for a
 * used-up quota, park the job until the reset without counting the attempt.
 */
async function retryLater(deps: PipelineDeps, ctx: JobContext, err: unknown): Promise<Outcome> {
  const error =
    err instanceof TransientError
      ? err
      : new TransientError('INTERNAL', `unexpected error: ${describeError(err)}`, { cause: err });
  if (!(err instanceof TransientError)) {
    ctx.log.error('unexpected error', { error: err instanceof Error ? err : describeError(err) });
  }
  const parkMs = quotaWaitMs(error);
  if (parkMs === undefined && countedAttempts(ctx.job, ctx.attempt) >= deps.config.maxAttempts) {
    const exhausted = new PermanentError(
      'ATTEMPTS_EXHAUSTED',
      `gave up after ${countedAttempts(ctx.job, ctx.attempt)} attempts (MAX_ATTEMPTS); last error ${error.code}: ${error.message}`,
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
  const now = new Date(ctx.now());
  // Fenced: releasing the lease of an attempt that took over would invite a third one early.
  await deps.lineage.updateJobIfCurrent(ctx.job.id, {
    fence: { attempt: ctx.attempt },
    patch: {
      error: { code: error.code, message: error.message },
      leaseExpiresAt: parkMs === undefined ? now : new Date(now.getTime() + parkMs),
      updatedAt: now,
      ...(parkMs === undefined ? {} : { quotaWaits: (ctx.job.quotaWaits ?? 0) + 1 }),
    },
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
