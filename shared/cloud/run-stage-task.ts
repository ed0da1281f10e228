import { z } from 'zod';
import { isNotNow, notNowStatus, retryAfterOf } from '../dispatch/dispatcher.js';
import type { DispatchSettings } from '../dispatch/settings.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NotifyDeps } from '../notify/notify-completion.js';
import { notifyOutcome } from '../notify/notify-outcome.js';
import { nowOf, type Outcome, type PipelineDeps, resumeStageTask } from '../pipeline/index.js';
import { verifyTaskToken } from './task-token.js';

/**
 * The longest `Retry-After` for a job busy elsewhere. The lease may have minutes left when its
 * holder crashed; checking back every half minute costs one cheap dispatch and finds the job
 * soon after the lease expires or the holder finishes.
 */
const BUSY_RETRY_CAP_S = 30;

/** The body of a stage task (what `createCloudTasksDispatcher` sends). */
export const StageTaskBodySchema = z.object({
  jobId: z.string().min(1).max(200),
  stage: z.int().min(1),
  attempt: z.int().min(1),
});

/**
 * The worker's world: the pipeline deps (with the tasks dispatcher), the announcement channels
 * and the dispatch settings.
 */
export interface StageRuntime {
  deps: PipelineDeps;
  log: Logger;
  /** Where a job this worker ends is announced (the same channels as the event side's). */
  notify: NotifyDeps;
  dispatch: Pick<
    DispatchSettings,
    'RUN_STAGE_URL' | 'TASK_INVOKER_ACCOUNT' | 'TASK_DISPATCH_DEADLINE_SECONDS'
  >;
}

/** An HTTP request as the worker needs it. */
export interface StageRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The worker's answer to Cloud Tasks. */
export interface StageReply {
  status: number;
  headers: Record<string, string>;
  body: { outcome: string; jobId?: string | undefined; reason?: string | undefined };
}

/**
 * Handles one dispatch of a stage task. Answers, for Cloud Tasks (any 2xx ends the task,
 * anything else is retried with the queue's backoff):
 * - 403 when the bearer token is not an OIDC token for this worker and the invoker account;
 * - 400 for a body that is not a stage task;
 * - 200 when the job is done, failed for good, handed on to the next queue, or not there;
 * - 429 / 503 with `Retry-After` for a model's "not now" and for a job busy elsewhere: free;
 * - 500 for any other transient failure (a counted attempt, as for redelivered events), and when
 *   the job ended but its completion could not be published (the retry publishes it).
 * A task that ends its job announces the outcome, as the event side does (`notifyOutcome`); a
 * later copy of the task finds the announcement recorded on the job and announces nothing.
 * @param request headers and parsed JSON body
 * @param runtime the worker's runtime
 */
export async function handleStageTask(request: StageRequest, runtime: StageRuntime): Promise<StageReply> {
  const header = (name: string) => {
    const v = request.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const log = runtime.log.child({
    task: header('X-CloudTasks-TaskName'),
    queue: header('X-CloudTasks-QueueName'),
    retryCount: numberOr(header('X-CloudTasks-TaskRetryCount')),
    executionCount: numberOr(header('X-CloudTasks-TaskExecutionCount')),
  });
  const denied = verifyTaskToken(header('Authorization'), {
    audience: runtime.dispatch.RUN_STAGE_URL ?? '',
    email: runtime.dispatch.TASK_INVOKER_ACCOUNT ?? '',
    nowMs: nowOf(runtime.deps),
  });
  if (denied) {
    log.warn('stage task refused', { reason: denied });
    return reply(403, { outcome: 'forbidden', reason: denied });
  }
  const task = StageTaskBodySchema.safeParse(request.body);
  if (!task.success) {
    const reason = task.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ');
    log.error('not a stage task', { reason });
    return reply(400, { outcome: 'invalid', reason });
  }
  const { deps } = runtime;
  const timeoutMs = Math.min(
    deps.config.timing.functionTimeoutMs,
    runtime.dispatch.TASK_DISPATCH_DEADLINE_SECONDS * 1000,
  );
  const deadline = nowOf(deps) + timeoutMs - deps.config.timing.deadlineMarginMs;
  let outcome: Outcome;
  try {
    outcome = await resumeStageTask({ ...deps, log }, task.data, { deadline });
  } catch (err) {
    log.error('the stage task failed; Cloud Tasks will retry it', {
      error: err instanceof Error ? err : describeError(err),
    });
    return reply(500, { outcome: 'error', jobId: task.data.jobId, reason: describeError(err) });
  }
  try {
    // After the report and the final status are written; on a failure the queue retries the
    // task, which finds the job ended (`duplicate`) and announces what is not yet recorded.
    await notifyOutcome({ ...runtime.notify, log }, outcome);
  } catch (err) {
    log.error('the job ended but its completion was not announced; Cloud Tasks will retry the task', {
      jobId: task.data.jobId,
      error: describeError(err),
    });
    return reply(500, { outcome: 'error', jobId: task.data.jobId, reason: describeError(err) });
  }
  const answer = await replyFor(outcome, deps);
  log.info('stage task handled', { ...task.data, outcome: outcome.kind, status: answer.status });
  return answer;
}

async function replyFor(outcome: Outcome, deps: PipelineDeps): Promise<StageReply> {
  const jobId = 'jobId' in outcome ? outcome.jobId : undefined;
  if (outcome.kind === 'retry') {
    if (!isNotNow(outcome.error)) return reply(500, { outcome: 'retry', jobId, reason: outcome.error.code });
    const after = retryAfterOf(outcome.error);
    return reply(
      notNowStatus(outcome.error),
      { outcome: 'not-now', jobId, reason: outcome.error.message },
      after === undefined ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(after / 1000))) },
    );
  }
  if (outcome.kind === 'busy') {
    const job = await deps.lineage.getJob(outcome.jobId);
    const leftMs = job ? job.leaseExpiresAt.getTime() - nowOf(deps) : 0;
    return reply(
      503,
      { outcome: 'busy', jobId, reason: 'the job is running elsewhere under a live lease' },
      { 'Retry-After': String(Math.min(BUSY_RETRY_CAP_S, Math.max(1, Math.ceil(leftMs / 1000)))) },
    );
  }
  return reply(200, {
    outcome: outcome.kind,
    jobId,
    ...('reason' in outcome ? { reason: outcome.reason } : {}),
  });
}

function reply(status: number, body: StageReply['body'], headers: Record<string, string> = {}): StageReply {
  return { status, headers, body };
}

function numberOr(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) ? n : undefined;
}
