import { createHash } from 'node:crypto';
import { TransientError } from '../errors.js';

/**
 * The Dispatcher port: how a job's stages reach the engines.
 *
 * - `inline`: the invocation that claimed the job runs every stage itself (the CLI, and the
 *   function without `DISPATCH=tasks`).
 * - `tasks`: the storage event only claims and plans the job, then hands its next stage to a
 *   Cloud Tasks queue (one per model quota); the `runStage` worker runs it. See docs/dispatch.md.
 */

/** The two dispatch modes (`DISPATCH`). */
export const DISPATCH_MODES = ['inline', 'tasks'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

/** One unit of queued work: run the job from `stage` on. What the task body carries. */
export interface StageTask {
  jobId: string;
  /** 1-based stage index (the `index` of the planned stage). */
  stage: number;
  /** The job's counted attempt when the task was created (attempts minus free ones). */
  attempt: number;
}

/** What an engine/model pair needs a queue for. */
export interface QueueTarget {
  engine: string;
  model: string;
}

/** A dispatcher (see the module comment). */
export interface Dispatcher {
  readonly mode: DispatchMode;
  /** The queue (full resource name) a stage on this engine/model waits in. */
  queueFor(target: QueueTarget): string;
  /**
   * Creates the task of `task` on `queue`, named from job, stage and attempt.
   * @returns `created`, or `exists` when a task of that name was already created (a duplicate
   *   delivery): both mean the stage is queued
   * @throws TransientError when the queue service could not be reached
   */
  enqueue(task: StageTask, queue: string): Promise<'created' | 'exists'>;
}

/** The inline dispatcher: every stage runs in the invocation that claimed the job. */
export function createInlineDispatcher(): Dispatcher {
  return {
    mode: 'inline',
    queueFor: () => 'inline',
    enqueue: async () => {
      throw new Error('the inline dispatcher runs stages in-process; nothing is ever enqueued');
    },
  };
}

/**
 * The task ID of a stage task: a hash of job, stage and attempt, so that duplicate deliveries
 * create it once (Cloud Tasks answers ALREADY_EXISTS), and hashed because sequential or
 * prefix-sharing IDs slow a queue down (cloud-tasks `Task.name` documentation).
 * @example taskIdFor({ jobId: 'j1', stage: 2, attempt: 1 }) // 's2-a1-3f0c…' (44 characters)
 */
export function taskIdFor(task: StageTask): string {
  const hash = createHash('sha256').update(`${task.jobId}:${task.stage}:${task.attempt}`).digest('hex');
  // Hash first: IDs that share a prefix are what slows a queue's index down.
  return `${hash.slice(0, 32)}-s${task.stage}-a${task.attempt}`;
}

/**
 * A model's "not now": the quota is exhausted (HTTP 429 / RESOURCE_EXHAUSTED) or the service is
 * overloaded (503 UNAVAILABLE). In tasks mode such a failure goes back to the queue at once and
 * costs no job attempt. Decided by class and HTTP status, never by message text.
 */
export function isNotNow(err: unknown): boolean {
  if (!(err instanceof TransientError)) return false;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TransientError && (e.status === 429 || e.status === 503)) return true;
  }
  return false;
}

/** The delay a "not now" asked for (the first `retryAfterMs` along its cause chain), in ms. */
export function retryAfterOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TransientError && e.retryAfterMs !== undefined) return e.retryAfterMs;
  }
  return undefined;
}

/** The HTTP status a worker answers a "not now" with: the model's own 429 or 503. */
export function notNowStatus(err: unknown): 429 | 503 {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TransientError && e.status === 429) return 429;
  }
  return 503;
}
