import { describe, expect, it } from 'vitest';
import {
  createCloudTasksDispatcher,
  type TasksClientLike,
} from '../../../shared/dispatch/cloud-tasks-dispatcher.js';
import { isNotNow, notNowStatus, retryAfterOf, taskIdFor } from '../../../shared/dispatch/dispatcher.js';
import { EngineError, PermanentError, TransientError } from '../../../shared/errors.js';

describe('taskIdFor', () => {
  it('is stable for the same job, stage and attempt and differs otherwise', () => {
    const a = taskIdFor({ jobId: 'job-1', stage: 2, attempt: 1 });
    expect(taskIdFor({ jobId: 'job-1', stage: 2, attempt: 1 })).toBe(a);
    expect(taskIdFor({ jobId: 'job-1', stage: 3, attempt: 1 })).not.toBe(a);
    expect(taskIdFor({ jobId: 'job-1', stage: 2, attempt: 2 })).not.toBe(a);
    // Cloud Tasks task IDs: [A-Za-z0-9_-], at most 500 characters, hash first.
    expect(a).toMatch(/^[0-9a-f]{32}-s2-a1$/);
  });
});

describe('isNotNow', () => {
  const quota = new TransientError('ENGINE_UNAVAILABLE', 'quota', { status: 429, retryAfterMs: 41_000 });
  it.each([
    { err: quota, notNow: true },
    { err: new TransientError('ENGINE_UNAVAILABLE', 'overloaded', { status: 503 }), notNow: true },
    { err: new TransientError('DEADLINE_EXCEEDED', 'out of time', { cause: quota }), notNow: true },
    { err: new TransientError('ENGINE_UNAVAILABLE', 'bad gateway', { status: 502 }), notNow: false },
    { err: new EngineError('ENGINE_REJECTED', 'bad request', { status: 400 }), notNow: false },
    { err: new PermanentError('ATTEMPTS_EXHAUSTED', 'gave up', { cause: quota }), notNow: false },
  ])('$err.message → $notNow', ({ err, notNow }) => {
    expect(isNotNow(err)).toBe(notNow);
  });

  it('carries the model status and its Retry-After hint along the cause chain', () => {
    const wrapped = new TransientError('DEADLINE_EXCEEDED', 'out of time', { cause: quota });
    expect(notNowStatus(wrapped)).toBe(429);
    expect(retryAfterOf(wrapped)).toBe(41_000);
    expect(notNowStatus(new TransientError('ENGINE_UNAVAILABLE', 'x', { status: 503 }))).toBe(503);
  });
});

describe('createCloudTasksDispatcher', () => {
  const options = {
    queues: new Map([['default', 'projects/p/locations/l/queues/q']]),
    url: 'https://run-stage.example.run.app',
    invoker: 'tasks@p.iam.gserviceaccount.com',
    dispatchDeadlineSeconds: 900,
    sleep: async () => undefined,
  };
  /** A client that answers the scripted errors in order, then succeeds. */
  const scripted = (...errors: Array<{ code?: number; message: string }>) => {
    const requests: unknown[] = [];
    const client: TasksClientLike = {
      async createTask(request) {
        requests.push(request);
        const e = errors.shift();
        if (e) throw Object.assign(new Error(e.message), e);
        return [{}];
      },
    };
    return { client, requests };
  };

  it('sends a named POST task with JSON body, OIDC token and dispatch deadline', async () => {
    const { client, requests } = scripted();
    const d = createCloudTasksDispatcher({ ...options, client });
    expect(await d.enqueue({ jobId: 'j', stage: 1, attempt: 1 }, 'projects/p/locations/l/queues/q')).toBe(
      'created',
    );
    const { task } = requests[0] as {
      task: {
        name: string;
        dispatchDeadline: unknown;
        httpRequest: { body: string } & Record<string, unknown>;
      };
    };
    expect(task.name).toBe(
      `projects/p/locations/l/queues/q/tasks/${taskIdFor({ jobId: 'j', stage: 1, attempt: 1 })}`,
    );
    expect(task.dispatchDeadline).toEqual({ seconds: 900 });
    expect(task.httpRequest).toMatchObject({
      httpMethod: 'POST',
      url: options.url,
      headers: { 'Content-Type': 'application/json' },
      oidcToken: { serviceAccountEmail: options.invoker, audience: options.url },
    });
    expect(JSON.parse(Buffer.from(task.httpRequest.body, 'base64').toString())).toEqual({
      jobId: 'j',
      stage: 1,
      attempt: 1,
    });
  });

  it('treats ALREADY_EXISTS (gRPC 6 or HTTP 409) as success, and retries UNAVAILABLE', async () => {
    for (const code of [6, 409]) {
      const d = createCloudTasksDispatcher({
        ...options,
        client: scripted({ code, message: 'exists' }).client,
      });
      expect(await d.enqueue({ jobId: 'j', stage: 1, attempt: 1 }, 'q')).toBe('exists');
    }
    const flaky = scripted({ code: 14, message: 'unavailable' }, { code: 503, message: 'unavailable' });
    const d = createCloudTasksDispatcher({ ...options, client: flaky.client });
    expect(await d.enqueue({ jobId: 'j', stage: 1, attempt: 1 }, 'q')).toBe('created');
    expect(flaky.requests).toHaveLength(3);
  });

  it('gives up with DISPATCH_UNAVAILABLE on PERMISSION_DENIED, without retrying', async () => {
    const denied = scripted({ code: 7, message: 'permission denied' });
    const d = createCloudTasksDispatcher({ ...options, client: denied.client });
    await expect(d.enqueue({ jobId: 'j', stage: 1, attempt: 1 }, 'q')).rejects.toMatchObject({
      code: 'DISPATCH_UNAVAILABLE',
      name: 'TransientError',
    });
    expect(denied.requests).toHaveLength(1);
  });
});
