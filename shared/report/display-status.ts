/**
 * The statuses the report shows, in the order a reader cares about. `to retry` is a running job
 * that carries an error: not running, but waiting for its next attempt (a transient failure the
 * next run resumes, or a job reopened by `darkroom run --retry-failed`).
 */
export const DISPLAY_STATUSES = ['succeeded', 'failed', 'to retry', 'running'] as const;

/** One of {@link DISPLAY_STATUSES}. */
export type DisplayStatus = (typeof DISPLAY_STATUSES)[number];

/** @returns the status a person should read for a job */
export function displayStatus(job: { status: string; error?: unknown }): DisplayStatus {
  if (job.status === 'running') return job.error ? 'to retry' : 'running';
  return job.status === 'failed' ? 'failed' : 'succeeded';
}

/** @returns the status as an HTML id / attribute value (`to-retry`) */
export function statusId(status: DisplayStatus): string {
  return status.replace(' ', '-');
}
