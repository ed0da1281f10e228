import { describe, expect, it } from 'vitest';
import { handleStageTask, type StageRuntime } from '../../../shared/cloud/run-stage-task.js';
import { loadConfig } from '../../../shared/config.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import type { JobNotifications, JobRecord } from '../../../shared/lineage/records.js';
import { createLogger } from '../../../shared/log.js';
import type { CompletionPublisher } from '../../../shared/notify/publisher.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';

const URL = 'https://darkroom-run-stage-123.us-central1.run.app';
const INVOKER = 'darkroom-tasks@p.iam.gserviceaccount.com';
const NOW = 1_800_000_000_000;

/** A worker runtime whose pipeline is never reached: the requests here stop at the gate. */
function runtime(lines: string[]): StageRuntime {
  const log = createLogger({ format: 'json', write: (line) => lines.push(line) });
  const deps = { config: loadConfig({}), log, now: () => NOW } as unknown as PipelineDeps;
  return {
    deps,
    log,
    notify: { lineage: deps.lineage, log },
    dispatch: { RUN_STAGE_URL: URL, TASK_INVOKER_ACCOUNT: INVOKER, TASK_DISPATCH_DEADLINE_SECONDS: 900 },
  };
}

/** The one job of a fake lineage store: ended, as a copy of a task that ran the last stage finds it. */
function endedJob(): JobRecord {
  return {
    id: 'job-1',
    status: 'succeeded',
    inputs: { image: { bucket: 'uploads', name: 'shop/mug.jpg', generation: '1' } },
    results: { bucket: 'results', prefix: 'shop/mug/job-1/' },
    finishedAt: new Date(NOW),
  } as unknown as JobRecord;
}

/** A worker over a lineage store holding only `job`, announcing through `notify`. */
function endedJobRuntime(job: JobRecord, notify: Partial<StageRuntime['notify']>): StageRuntime {
  const log = createLogger({ format: 'json', write: () => undefined });
  const lineage = {
    getJob: async (id: string) => (id === job.id ? structuredClone(job) : undefined),
    updateJob: async (_id: string, patch: { notifications?: JobNotifications }) => {
      Object.assign(job, patch);
    },
  } as unknown as LineageStore;
  const deps = { config: loadConfig({}), log, lineage, now: () => NOW } as unknown as PipelineDeps;
  return {
    deps,
    log,
    notify: { lineage, log, ...notify },
    dispatch: { RUN_STAGE_URL: URL, TASK_INVOKER_ACCOUNT: INVOKER, TASK_DISPATCH_DEADLINE_SECONDS: 900 },
  };
}

/** A publisher that fails `failures` times, then accepts and numbers each message. */
function fakePublisher(failures = 0): CompletionPublisher & { published: string[] } {
  const published: string[] = [];
  let left = failures;
  return {
    target: 'projects/p/topics/darkroom-completions',
    published,
    async publish(event) {
      if (left-- > 0) throw new Error('14 UNAVAILABLE: the topic is not reachable');
      published.push(event.id);
      return String(published.length);
    },
  };
}

const headers = (authorization?: string) => ({
  'x-cloudtasks-taskname': 'abc-s1-a1',
  'x-cloudtasks-queuename': 'nano-banana-2',
  'x-cloudtasks-taskretrycount': '3',
  'x-cloudtasks-taskexecutioncount': '2',
  ...(authorization ? { authorization } : {}),
});

describe('handleStageTask', () => {
  it('answers 403 to a request without the invoker token, logging the X-CloudTasks counts', async () => {
    const lines: string[] = [];
    const reply = await handleStageTask(
      { headers: headers(), body: { jobId: 'j', stage: 1, attempt: 1 } },
      runtime(lines),
    );
    expect(reply.status).toBe(403);
    const line = JSON.parse(lines.at(-1) ?? '{}');
    expect(line).toMatchObject({
      task: 'abc-s1-a1',
      queue: 'nano-banana-2',
      retryCount: 3,
      executionCount: 2,
    });
  });

  it('answers 400, naming the field, to a body that is not a stage task', async () => {
    const token = `Bearer ${oidcToken({ email: INVOKER, audience: URL, nowMs: NOW })}`;
    const reply = await handleStageTask(
      { headers: headers(token), body: { jobId: 'j', stage: 0 } },
      runtime([]),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.reason).toMatch(/stage/);
    expect(reply.body.reason).toMatch(/attempt/);
  });

  describe('announcing the outcome', () => {
    const token = () => `Bearer ${oidcToken({ email: INVOKER, audience: URL, nowMs: NOW })}`;
    const task = { jobId: 'job-1', stage: 1, attempt: 1 };

    it('publishes the outcome of a job that has ended, once, whatever the number of dispatches', async () => {
      const job = endedJob();
      const publisher = fakePublisher();
      const worker = endedJobRuntime(job, { publisher });
      for (let i = 0; i < 3; i++) {
        const reply = await handleStageTask({ headers: headers(token()), body: task }, worker);
        expect(reply).toMatchObject({ status: 200, body: { outcome: 'duplicate', jobId: 'job-1' } });
      }
      expect(publisher.published).toEqual(['job-1']);
      expect(job.notifications?.pubsub).toMatchObject({ topic: publisher.target, messageId: '1' });
    });

    it('answers 500 when Pub/Sub refuses the message, and the retried task publishes it', async () => {
      const job = endedJob();
      const publisher = fakePublisher(1);
      const worker = endedJobRuntime(job, { publisher });
      const first = await handleStageTask({ headers: headers(token()), body: task }, worker);
      expect(first.status).toBe(500);
      expect(first.body.reason).toMatch(/NOTIFY_UNAVAILABLE|could not publish/);
      expect(job.notifications).toBeUndefined();
      const retry = await handleStageTask({ headers: headers(token()), body: task }, worker);
      expect(retry.status).toBe(200);
      expect(publisher.published).toEqual(['job-1']);
    });
  });
});
