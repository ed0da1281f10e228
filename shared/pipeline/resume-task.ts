import { PermanentError } from '../errors.js';
import type { InputRef } from '../lineage/records.js';
import type { ObjectInfo } from '../storage/object-store.js';
import type { PipelineDeps } from './deps.js';
import { type ParsedRequest, readRequest } from './read-request.js';
import { runAttempt } from './run-attempt.js';
import type { HandleOptions, Outcome } from './types.js';

/** The stage task a `runStage` worker received (see shared/dispatch). */
export interface StageTaskRef {
  jobId: string;
  stage: number;
}

/**
 * Runs a queued stage task: reads the job's inputs at the exact generations its record names,
 * and takes the job up as a `worker` attempt under the usual claim, lease, fencing and resume
 * rules. The job record, not the task, says what is left to do: a duplicate or stale task finds
 * its stages recorded (or the job finished) and does no engine call.
 * @returns the attempt's outcome; `ignored` when the job does not exist
 */
export async function resumeStageTask(
  deps: PipelineDeps,
  task: StageTaskRef,
  options: Pick<HandleOptions, 'deadline'> = {},
): Promise<Outcome> {
  const log = deps.log.child({ jobId: task.jobId, stage: task.stage });
  const job = await deps.lineage.getJob(task.jobId);
  if (!job) return { kind: 'ignored', reason: `job ${task.jobId} does not exist` };
  if (job.status !== 'running') return { kind: 'duplicate', jobId: job.id, status: job.status };
  const requestRef = job.inputs.request;
  if (!requestRef) return { kind: 'ignored', reason: `job ${job.id} records no request object` };
  const request = await deps.store.stat(requestRef);
  const image = job.inputs.image && (await deps.store.stat(job.inputs.image));
  let parsed: ParsedRequest;
  if (!request) {
    const error = new PermanentError(
      'REQUEST_INVALID',
      `${describe(requestRef)}: the request object no longer exists`,
    );
    parsed = { kind: 'invalid', error };
  } else if (job.inputs.image && !image) {
    const error = new PermanentError(
      'SIDECAR_IMAGE_MISSING',
      `${describe(job.inputs.image)} no longer exists`,
    );
    parsed = { kind: 'invalid', error };
  } else {
    parsed = await readRequest(deps.store, request, deps.config.limits.maxRequestBytes);
  }
  return runAttempt(
    deps,
    log,
    {
      request: request ?? stub(requestRef),
      image: image || (job.inputs.image && stub(job.inputs.image)),
      requestKind: job.inputs.requestKind,
      parsed,
    },
    { ...options, role: 'worker' },
  );
}

/** An object that is gone, described by its reference (the job fails with a report). */
function stub(ref: InputRef): ObjectInfo {
  return { ...ref, size: 0, metadata: {} };
}

function describe(ref: InputRef): string {
  return `gs://${ref.bucket}/${ref.name}#${ref.generation}`;
}
