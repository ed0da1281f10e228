import { describeError, type PipelineError, StoreConflictError, TransientError } from '../errors.js';
import type { JobError, JobRecord } from '../lineage/records.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { outputMetadataOf } from './job-context.js';
import { errorReportName } from './layout.js';

/** What a failed job reports, in `error.json` and in `jobs/{id}.error`. */
export interface FailureReport {
  jobId: string;
  prefix: string;
  source?: { bucket: string; name: string; generation: string } | undefined;
  error: PipelineError;
  stage?: number | undefined;
  attempt: number;
}

/** The fields `error.json` is made of; all of them are also on the failed job's record. */
interface ReportFields {
  jobId: string;
  prefix: string;
  error: JobError;
  attempt: number;
  source?: FailureReport['source'];
  failedAt: Date;
}

/**
 * Ends a job as failed: records the failure on the job, then writes `error.json` where the
 * outputs would have gone, with a stable `code` and a human `message`. The record comes
 * first so that a report that could not be written is rewritten from it by a redelivery
 * ({@link ensureErrorReport}): a failed job always ends with its report.
 * @throws TransientError (`STORAGE_UNAVAILABLE`) when the report could not be written; the
 *   caller asks for redelivery
 */
export async function failJob(deps: PipelineDeps, report: FailureReport): Promise<JobError> {
  const error: JobError = {
    code: report.error.code,
    message: describeError(report.error),
    stage: report.stage,
    details: report.error.details,
  };
  const now = new Date(nowOf(deps));
  // Fenced: an attempt that was taken over, or a job another delivery already ended, is left as it is.
  const ended = await deps.lineage.updateJobIfCurrent(report.jobId, {
    fence: { attempt: report.attempt },
    patch: { status: 'failed', error, finishedAt: now, updatedAt: now, leaseExpiresAt: now },
  });
  if (!ended) {
    deps.log.warn('job not marked failed: another attempt owns or ended it', { jobId: report.jobId });
    return error;
  }
  await writeErrorReport(deps, { ...report, error, failedAt: now });
  return error;
}

/**
 * Writes the `error.json` of a job recorded as failed when it is missing: the repair a
 * redelivery makes after an earlier attempt recorded the failure but could not store its report.
 * @returns true when the report had to be written
 * @throws TransientError when it still cannot be written
 */
export async function ensureErrorReport(deps: PipelineDeps, job: JobRecord): Promise<boolean> {
  if (job.status !== 'failed' || !job.error) return false;
  const location = { bucket: deps.results.bucket, name: errorReportName(job.results.prefix) };
  if (await deps.store.stat(location)) return false;
  deps.log.warn('the failed job has no error.json; writing it again', { jobId: job.id });
  await writeErrorReport(deps, {
    jobId: job.id,
    prefix: job.results.prefix,
    error: job.error,
    attempt: job.attempt,
    source: job.inputs.image ?? job.inputs.request,
    failedAt: job.finishedAt ?? job.updatedAt,
  });
  return true;
}

async function writeErrorReport(deps: PipelineDeps, fields: ReportFields): Promise<void> {
  const { error, source } = fields;
  const body = {
    jobId: fields.jobId,
    status: 'failed',
    code: error.code,
    message: error.message,
    ...(error.stage !== undefined ? { stage: error.stage } : {}),
    ...(error.details ? { details: error.details } : {}),
    attempt: fields.attempt,
    source,
    failedAt: fields.failedAt.toISOString(),
  };
  try {
    await deps.store.create(
      { bucket: deps.results.bucket, name: errorReportName(fields.prefix) },
      Buffer.from(`${JSON.stringify(body, null, 2)}\n`),
      {
        contentType: 'application/json',
        metadata: outputMetadataOf({ jobId: fields.jobId, source }, { 'darkroom-role': 'error' }),
      },
    );
  } catch (err) {
    // A report an earlier attempt wrote for this failure stands.
    if (err instanceof StoreConflictError) return;
    throw new TransientError(
      'STORAGE_UNAVAILABLE',
      `the job is recorded as failed but its error.json could not be written (${describeError(err)}); a redelivery writes it`,
      { cause: err },
    );
  }
}
