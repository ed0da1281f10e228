import type { JobRecord } from '../lineage/records.js';
import { ERROR_FILE, type PipelineDeps } from '../pipeline/index.js';

/** What {@link reopenFailedJobs} did. */
export interface ReopenResult {
  /** Jobs set back to `running` with an expired lease: the next arrival claims the next attempt. */
  reopened: JobRecord[];
  /** Failed jobs that had used every attempt (`MAX_ATTEMPTS`): revise the sidecar instead. */
  exhausted: JobRecord[];
}

/**
 * `darkroom run --retry-failed`: gives every failed job of the drop folder another attempt, for
 * failures the operator has fixed since (a missing key, a permission, a quota). A failed job is
 * final in the pipeline, so that a redelivery never repeats it; this is the explicit way back.
 * Each job is set to `running` with an expired lease, as if its last attempt had died, and its
 * `error.json` is removed, so that the run that follows claims it as attempt N+1, resumes from
 * its recorded stages and ends it again, succeeded or failed.
 * @param options.bucket the drop folder's bucket
 * @returns the reopened jobs, and those left failed because no attempt is left
 */
export async function reopenFailedJobs(
  deps: PipelineDeps,
  options: { bucket: string },
): Promise<ReopenResult> {
  const result: ReopenResult = { reopened: [], exhausted: [] };
  const failed = (await deps.lineage.listJobs()).filter(
    (job) => job.status === 'failed' && job.sourceKey.startsWith(`${options.bucket}/`),
  );
  const now = new Date(deps.now?.() ?? Date.now());
  for (const job of failed) {
    if (job.attempt >= deps.config.maxAttempts) {
      result.exhausted.push(job);
      continue;
    }
    await deps.lineage.updateJob(job.id, { status: 'running', leaseExpiresAt: new Date(0), updatedAt: now });
    await deps.store.delete({ bucket: job.results.bucket, name: `${job.results.prefix}${ERROR_FILE}` });
    result.reopened.push(job);
  }
  return result;
}
