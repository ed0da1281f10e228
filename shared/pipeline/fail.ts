import { describeError, type PipelineError } from '../errors.js';
import type { JobError } from '../lineage/records.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { ERROR_FILE } from './layout.js';

/** What a failed job reports, in `error.json` and in `jobs/{id}.error`. */
export interface FailureReport {
  jobId: string;
  prefix: string;
  source?: { bucket: string; name: string; generation: string } | undefined;
  error: PipelineError;
  stage?: number | undefined;
  attempt: number;
}

/**
 * Ends a job as failed: writes `error.json` where the outputs would have gone, with a
 * stable `code` and a human `message`, then records the failure on the job.
 */
export async function failJob(deps: PipelineDeps, report: FailureReport): Promise<JobError> {
  const error: JobError = {
    code: report.error.code,
    message: describeError(report.error),
    stage: report.stage,
  };
  const body = {
    jobId: report.jobId,
    status: 'failed',
    code: error.code,
    message: error.message,
    ...(report.stage !== undefined ? { stage: report.stage } : {}),
    ...(report.error.details ? { details: report.error.details } : {}),
    attempt: report.attempt,
    source: report.source,
    failedAt: new Date(nowOf(deps)).toISOString(),
  };
  try {
    await deps.store.create(
      { bucket: deps.results.bucket, name: `${report.prefix}${ERROR_FILE}` },
      Buffer.from(`${JSON.stringify(body, null, 2)}\n`),
      {
        contentType: 'application/json',
        metadata: {
          'darkroom-output': 'true',
          'darkroom-job': report.jobId,
          'darkroom-role': 'error',
          ...(report.source
            ? {
                'darkroom-source': `${report.source.bucket}/${report.source.name}#${report.source.generation}`,
              }
            : {}),
        },
      },
    );
  } catch (err) {
    // An earlier attempt may have written the report already; the job record below is what counts.
    deps.log.warn('could not write error.json', { jobId: report.jobId, reason: describeError(err) });
  }
  const now = new Date(nowOf(deps));
  // Fenced: an attempt that was taken over, or a job another delivery already ended, is left as it is.
  const ended = await deps.lineage.updateJobIfCurrent(report.jobId, {
    fence: { attempt: report.attempt },
    patch: { status: 'failed', error, finishedAt: now, updatedAt: now, leaseExpiresAt: now },
  });
  if (!ended)
    deps.log.warn('job not marked failed: another attempt owns or ended it', { jobId: report.jobId });
  return error;
}
