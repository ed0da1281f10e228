/**
 * The consumer examples of docs/integrations.md work: the webhook receiver verifies what the
 * notifier sends, refuses a tampered body and handles a retried delivery once; the subscriber
 * (on Google's Pub/Sub emulator, where PUBSUB_EMULATOR_HOST is set) handles a redelivered
 * outcome once.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Completion, subscribe } from '../../../examples/integrations/completion-subscriber.js';
import { createReceiver, type DarkroomWebhook } from '../../../examples/integrations/webhook-receiver.js';
import { silentLogger } from '../../../shared/log.js';
import { completionEvent } from '../../../shared/notify/completion-event.js';
import { createPubSubPublisher } from '../../../shared/notify/pubsub-publisher.js';
import { createWebhookNotifier } from '../../../shared/notify/webhook-notifier.js';
import { signWebhook } from '../../../shared/notify/webhook-signature.js';
import { jobRecord } from '../../support/lineage-store-contract.js';
import { hasPubSubEmulator, testTopic } from '../../support/pubsub.js';
import { TEST_WEBHOOK_SECRET } from '../../support/webhook-receiver.js';

const job = jobRecord('J1', { status: 'succeeded', finishedAt: new Date('2026-03-01T12:05:00Z') });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('examples/integrations/webhook-receiver.ts', () => {
  it('accepts signed deliveries once each and refuses a tampered body with 401', async () => {
    const events: DarkroomWebhook[] = [];
    const server = createReceiver(TEST_WEBHOOK_SECRET, (e) => events.push(e));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const notifier = createWebhookNotifier({
      secret: TEST_WEBHOOK_SECRET,
      url,
      allowPrivate: true,
      maxAttempts: 1,
      log: silentLogger,
    });
    expect((await notifier.deliver(job, undefined))?.[0]?.status).toBe('delivered');
    // A retry of the same message (a redelivered event whose record was lost): handled once.
    expect((await notifier.deliver(job, undefined))?.[0]?.status).toBe('delivered');
    expect(events.map((e) => [e.type, e.data.jobId, e.data.labels.sku])).toEqual([
      ['dev.darkroom.job.v1.succeeded', 'J1', 'CUP-1'],
    ]);

    const body = JSON.stringify({ type: 'dev.darkroom.job.v1.succeeded', data: { jobId: 'J1' } });
    const headers = signWebhook({
      secret: TEST_WEBHOOK_SECRET,
      id: 'msg_X',
      timestampSeconds: Date.now() / 1000,
      body,
    });
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { ...headers },
      body: body.replace('J1', 'J2'),
    });
    expect(tampered.status).toBe(401);
    expect(events).toHaveLength(1);
  });
});

describe.runIf(hasPubSubEmulator())('examples/integrations/completion-subscriber.ts', () => {
  it('handles a job outcome published twice (at-least-once) once, labels from the attributes', async () => {
    const events = await testTopic();
    cleanups.push(() => events.close());
    const [subscriptionName] = (await events.pubsub.topic(events.topic).getSubscriptions())[0].map(
      (s) => s.name,
    );
    const publisher = createPubSubPublisher({ pubsub: events.pubsub, topic: events.topic });
    const got: Completion[] = [];
    let lastHandled!: () => void;
    const done = new Promise<void>((resolve) => {
      lastHandled = resolve;
    });
    cleanups.push(
      subscribe(events.pubsub, subscriptionName as string, (c) => {
        got.push(c);
        if (c.jobId === 'J2') lastHandled();
      }),
    );
    // Same source image, so the same ordering key: the ordered subscription delivers J1, its
    // duplicate, then J2; once J2 is handled the duplicate has been seen (and deduped).
    await publisher.publish(completionEvent(job));
    await publisher.publish(completionEvent(job));
    await publisher.publish(
      completionEvent({ ...job, id: 'J2', results: { bucket: 'results', prefix: 'a/photo/J2/' } }),
    );
    await done;
    expect(got.map((c) => [c.jobId, c.status, c.labels.sku, c.reportUri])).toEqual([
      ['J1', 'succeeded', 'CUP-1', 'gs://results/a/photo/J1/manifest.json'],
      ['J2', 'succeeded', 'CUP-1', 'gs://results/a/photo/J2/manifest.json'],
    ]);
  });
});
