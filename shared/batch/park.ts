import type { JobContext } from '../pipeline/job-context.js';
import type { Outcome } from '../pipeline/types.js';
import type { BatchWaiting } from './lane.js';

/**
 * Parks a job whose stage waits for a batch job: status `waiting-batch`, lease released, the
 * attempt free (waiting costs no attempt). Fenced, so only the attempt in charge parks the job.
 * The collector's poller resumes it once every waiting key has its answer (resume.ts).
 * @returns `waiting-batch`, or `duplicate` when a later attempt owns the job
 */
export async function parkForBatch(ctx: JobContext, waiting: BatchWaiting): Promise<Outcome> {
  const now = new Date(ctx.now());
  const parked = await ctx.deps.lineage.updateJobIfCurrent(ctx.job.id, {
    fence: { attempt: ctx.attempt },
    patch: {
      status: 'waiting-batch',
      lane: 'batch',
      waitingBatch: waiting.keys,
      leaseExpiresAt: now,
      freeAttempts: (ctx.job.freeAttempts ?? 0) + 1,
      error: null,
      updatedAt: now,
    },
  });
  if (!parked) return { kind: 'duplicate', jobId: ctx.job.id, status: 'running' };
  ctx.log.info('job waits for a batch job', { keys: waiting.keys });
  return { kind: 'waiting-batch', jobId: ctx.job.id, keys: waiting.keys };
}
