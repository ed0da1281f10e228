import type { AttemptRecord, JobPatch, JobRecord } from './records.js';

/**
 * The condition of a fenced job write: the attempt that must still be in charge of a
 * running job, and, for a takeover, the time by which its lease must have run out.
 */
export interface JobFence {
  /** The job's current attempt number, as the writer last saw it. */
  attempt: number;
  /** When set, the job's lease must have expired by then (taking an attempt over). */
  leaseExpiredBy?: Date | undefined;
}

/** A write of {@link LineageStore.updateJobIfCurrent}. */
export interface FencedJobUpdate {
  fence: JobFence;
  /** Top-level fields to replace, as in `updateJob` (a `null` error removes it). */
  patch: JobPatch;
  /** An attempt record to create in the same atomic step (a takeover). */
  newAttempt?: AttemptRecord | undefined;
}

/**
 * @returns true while `job` is running under `fence.attempt` (and, for a takeover, its
 *   lease has run out by `fence.leaseExpiredBy`)
 */
export function fenceHolds(job: JobRecord | undefined, fence: JobFence): boolean {
  if (job?.status !== 'running' || job.attempt !== fence.attempt) return false;
  return !fence.leaseExpiredBy || job.leaseExpiresAt.getTime() <= fence.leaseExpiredBy.getTime();
}
