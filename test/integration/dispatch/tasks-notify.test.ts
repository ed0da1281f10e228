/**
 * Tasks mode announces a job once, from the side that ends it: the event only claims and
 * dispatches, the `runStage` worker runs the last stage and publishes the completion event
 * (on Google's Pub/Sub emulator, where PUBSUB_EMULATOR_HOST is set) and delivers the signed
 * webhook; a redelivered event and a repeated dispatch of the finished task announce nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';
import { fault } from '../../support/gemini-server.js';
import { hasPubSubEmulator, type TestTopic, testTopic } from '../../support/pubsub.js';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';
import {
  DEFAULT_QUEUE,
  flatImage,
  GEMINI_EDIT,
  GEMINI_QUEUE,
  INVOKER,
  QUEUE_RETRY,
  REPLICATE_QUEUE,
  startTasksHarness,
  type TasksHarness,
} from './tasks-harness.js';

describe('tasks mode: the worker that ends a job announces it, once', () => {
  let h: TasksHarness;
  let receiver: WebhookReceiver;
  let events: TestTopic | undefined;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    events = hasPubSubEmulator() ? await testTopic() : undefined;
    const queue = { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 10, ...QUEUE_RETRY };
    h = await startTasksHarness({
      scale: 20,
      queues: { [GEMINI_QUEUE]: queue, [REPLICATE_QUEUE]: queue, [DEFAULT_QUEUE]: queue },
      env: {
        LOG_LEVEL: 'warn',
        WEBHOOK_URL: `${receiver.url}/all-jobs`,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        // The receiver listens on loopback.
        WEBHOOK_ALLOW_PRIVATE: 'true',
        ...(events ? { COMPLETION_TOPIC: events.topic } : {}),
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
    await events?.close();
  });

  /** Dispatches a task to the worker again, as a repeated Cloud Tasks delivery would. */
  const redispatch = (jobId: string, stage: number) =>
    fetch(h.workerUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${oidcToken({ email: INVOKER, audience: h.workerUrl, nowMs: Date.now() })}`,
      },
      body: JSON.stringify({ jobId, stage, attempt: 1 }),
    });

  const deliveriesTo = (jobId: string) =>
    receiver.deliveries.filter(
      (d) => (JSON.parse(d.body) as { data?: { jobId?: string } }).data?.jobId === jobId,
    );

  it('delivers one signed webhook when the worker finishes the job, none for the event that dispatched it', async () => {
    h.fn.upload('hooked/_recipe.json', JSON.stringify(GEMINI_EDIT));
    const image = h.fn.upload('hooked/item.png', await flatImage(11));
    h.tasks.pauseQueue(GEMINI_QUEUE);
    try {
      expect((await h.fn.send(image)).status).toBe(204);
      const [record] = await h.fn.lineage.listJobs({ sourceKey: 'uploads/hooked/item.png' });
      expect(record?.status).toBe('running');
      // The event claimed the job and handed its stage to the queue: nothing to announce yet.
      expect(deliveriesTo(record?.id ?? '')).toEqual([]);
    } finally {
      h.tasks.resumeQueue(GEMINI_QUEUE);
    }
    await h.tasks.drained();

    const [record] = await h.fn.lineage.listJobs({ sourceKey: 'uploads/hooked/item.png' });
    const jobId = record?.id ?? '';
    const job = await h.fn.job(jobId);
    expect(job?.status).toBe('succeeded');
    const delivered = deliveriesTo(jobId);
    expect(delivered.map((d) => [d.path, d.verified, d.headers['webhook-id']])).toEqual([
      ['/all-jobs', true, expect.any(String)],
    ]);
    expect(JSON.parse(delivered[0]?.body ?? '')).toMatchObject({
      type: 'dev.darkroom.job.v1.succeeded',
      data: { jobId, status: 'succeeded' },
    });
    expect(job?.notifications?.webhooks?.map((w) => [w.url, w.status])).toEqual([
      [`${receiver.url}/all-jobs`, 'delivered'],
    ]);

    // A redelivered event and a repeated dispatch of the last task find the job done and the
    // delivery recorded.
    expect((await h.fn.send(image)).status).toBe(204);
    const again = await redispatch(jobId, 1);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: 'duplicate', jobId });
    expect(deliveriesTo(jobId)).toHaveLength(1);
  });

  it('announces a job the worker fails as .failed, once', async () => {
    h.fn.upload('refused/_recipe.json', JSON.stringify(GEMINI_EDIT));
    const image = h.fn.upload('refused/item.png', await flatImage(12));
    h.gemini.script(fault.status(400, 'Request contains an invalid argument.'));
    expect((await h.fn.send(image)).status).toBe(204);
    await h.tasks.drained();

    const [record] = await h.fn.lineage.listJobs({ sourceKey: 'uploads/refused/item.png' });
    const jobId = record?.id ?? '';
    expect((await h.fn.job(jobId))?.error?.code).toBe('ENGINE_REJECTED');
    expect((await redispatch(jobId, 1)).status).toBe(200);
    const delivered = deliveriesTo(jobId);
    expect(delivered.map((d) => JSON.parse(d.body).type)).toEqual(['dev.darkroom.job.v1.failed']);
  });

  it.runIf(hasPubSubEmulator())(
    "publishes one completion event to Google's Pub/Sub emulator from the worker, across a repeated dispatch",
    async () => {
      const topic = events as TestTopic;
      await topic.drain();
      h.fn.upload('published/_recipe.json', JSON.stringify(GEMINI_EDIT));
      const image = h.fn.upload('published/item.png', await flatImage(13));
      expect((await h.fn.send(image)).status).toBe(204);
      await h.tasks.drained();
      const [record] = await h.fn.lineage.listJobs({ sourceKey: 'uploads/published/item.png' });
      const jobId = record?.id ?? '';
      expect((await redispatch(jobId, 1)).status).toBe(200);
      expect((await h.fn.send(image)).status).toBe(204);

      const messages = await topic.drain();
      expect(messages.map((m) => [m.attributes['ce-id'], m.attributes['ce-type']])).toEqual([
        [jobId, 'dev.darkroom.job.v1.succeeded'],
      ]);
      expect(messages[0]?.orderingKey).toBe('published/item.png');
      const job = await h.fn.job(jobId);
      expect(job?.notifications?.pubsub).toMatchObject({
        topic: topic.topic,
        messageId: messages[0]?.messageId,
      });
      expect(deliveriesTo(jobId)).toHaveLength(1);
    },
  );
});
