import { TransientError } from '../errors.js';
import { type Dispatcher, type QueueTarget, type StageTask, taskIdFor } from './dispatcher.js';
import { queueOf } from './settings.js';

/** The one method of `CloudTasksClient` the adapter calls (the real client satisfies it). */
export interface TasksClientLike {
  createTask(request: { parent: string; task: Record<string, unknown> }): Promise<unknown>;
}

/** Options of {@link createCloudTasksDispatcher}. */
export interface CloudTasksDispatcherOptions {
  client: TasksClientLike;
  /** `TASK_QUEUES`: model or engine (or `default`) → queue resource name. */
  queues: ReadonlyMap<string, string>;
  /** `RUN_STAGE_URL`: the worker; also the OIDC audience. */
  url: string;
  /** `TASK_INVOKER_ACCOUNT`: the service account whose OIDC token the task carries. */
  invoker: string;
  /** `TASK_DISPATCH_DEADLINE_SECONDS`: how long one dispatch may take. */
  dispatchDeadlineSeconds: number;
  /** Tries of one `createTask` (default 3): the client does not retry it by itself. */
  maxTries?: number;
  /** Waits between tries (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Codes the adapter tells apart. Over gRPC (and gax 6 REST) `err.code` is a google.rpc.Code;
 * gax 5's REST transport surfaces the HTTP status instead (measured with 6.3.0: ALREADY_EXISTS
 * arrives as a GaxiosError with code 409).
 */
const ALREADY_EXISTS = new Set([6, 409]);
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE, and their HTTP statuses.
const RETRYABLE = new Set([4, 8, 10, 13, 14, 408, 429, 500, 502, 503, 504]);

/**
 * The Cloud Tasks dispatcher: one named HTTP task per stage hand-off, carrying an OIDC token
 * for the worker. A task name already taken (ALREADY_EXISTS, a duplicate delivery) is success.
 * `createTask` is marked non-idempotent in the client's config, so it is retried here; a name
 * makes that safe, since a create whose answer was lost comes back as ALREADY_EXISTS.
 * @example createCloudTasksDispatcher({ client: new CloudTasksClient(), queues, url, invoker, dispatchDeadlineSeconds: 900 })
 */
export function createCloudTasksDispatcher(options: CloudTasksDispatcherOptions): Dispatcher {
  const maxTries = options.maxTries ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    mode: 'tasks',
    queueFor: (target: QueueTarget) => queueOf(options.queues, target),
    async enqueue(task: StageTask, queue: string) {
      const request = {
        parent: queue,
        task: {
          name: `${queue}/tasks/${taskIdFor(task)}`,
          dispatchDeadline: { seconds: options.dispatchDeadlineSeconds },
          httpRequest: {
            httpMethod: 'POST',
            url: options.url,
            // Cloud Tasks sets no Content-Type of its own.
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(task)).toString('base64'),
            oidcToken: { serviceAccountEmail: options.invoker, audience: options.url },
          },
        },
      };
      for (let n = 1; ; n++) {
        try {
          await options.client.createTask(request);
          return 'created';
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'number' && ALREADY_EXISTS.has(code)) return 'exists';
          const retryable = typeof code !== 'number' || RETRYABLE.has(code);
          if (!retryable || n >= maxTries) {
            throw new TransientError(
              'DISPATCH_UNAVAILABLE',
              `Cloud Tasks: creating the task of job ${task.jobId} stage ${task.stage} on ${queue} failed (${(err as Error).message})`,
              { cause: err, details: { code, tries: n } },
            );
          }
          await sleep(500 * 2 ** (n - 1));
        }
      }
    },
  };
}
