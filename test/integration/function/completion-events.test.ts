/**
 * Completion events from the Cloud Function to Google's Pub/Sub emulator: one message per job
 * outcome, whatever the number of deliveries; a publish that did not happen after the report is
 * made good by the redelivery; failures publish `.failed` with their code.
 * Runs where PUBSUB_EMULATOR_HOST is set (CI starts Google's emulator in `.ci/run`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPubSubEmulator, type TestTopic, testTopic } from '../../support/pubsub.js';
import { expectFailedJob, expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, RESULTS, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

describe.runIf(hasPubSubEmulator())("completion events on Google's Pub/Sub emulator", () => {
  let h: FunctionHarness;
  let events: TestTopic;
  let photo: Buffer;

  beforeAll(async () => {
    events = await testTopic();
    h = await startFunctionHarness({ COMPLETION_TOPIC: events.topic });
    photo = await smallPhoto();
  });
  afterAll(async () => {
    await h?.close();
    await events?.close();
  });

  it('publishes one message per succeeded job across duplicate deliveries, and records it on the job', async () => {
    const image = h.upload('shop/mug.jpg', photo);
    await h.send(image);
    const request = h.upload(
      'shop/mug.json',
      sidecar({ prompt: 'Make the photo a bit warmer', labels: { sku: 'MUG-0042' } }),
    );
    expect((await h.send(request)).status).toBe(204);
    const { jobId, record } = await expectSucceededJob(h, 'shop/mug', image);
    // The same events again, twice: duplicates of a finished job.
    expect((await h.send(request)).status).toBe(204);
    expect((await h.send(image)).status).toBe(204);

    const messages = await events.drain();
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.attributes).toEqual({
      'ce-specversion': '1.0',
      'ce-type': 'dev.darkroom.job.v1.succeeded',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${RESULTS}`,
      'ce-id': jobId,
      'ce-subject': 'gs://uploads/shop/mug.jpg',
      'ce-time': record.finishedAt?.toISOString(),
      'content-type': 'application/json',
      jobId,
      status: 'succeeded',
      manifestUri: `gs://${RESULTS}/${record.results.prefix}manifest.json`,
      'label.sku': 'MUG-0042',
    });
    expect(message?.orderingKey).toBe('shop/mug.jpg');
    expect(message?.data).toMatchObject({
      jobId,
      status: 'succeeded',
      labels: { sku: 'MUG-0042' },
      source: { bucket: 'uploads', name: 'shop/mug.jpg', generation: image.generation },
    });
    const roles = ((message?.data.outputs ?? []) as { role: string }[]).map((o) => o.role);
    expect(roles).toContain('final');
    expect(roles).toContain('manifest');
    const job = await h.job(jobId);
    expect(job?.notifications?.pubsub).toMatchObject({ topic: events.topic, messageId: message?.messageId });
  });

  it('publishes .failed with the code and the error.json URI', async () => {
    const image = h.upload('shop/bad.jpg', photo);
    await h.send(image);
    const request = h.upload('shop/bad.json', sidecar({ prompt: 'warmer', colour: 'red' }));
    expect((await h.send(request)).status).toBe(204);
    const { jobId, record } = await expectFailedJob(h, 'shop/bad', 'REQUEST_INVALID', image);
    const messages = await events.drain();
    expect(messages.map((m) => m.attributes['ce-type'])).toEqual(['dev.darkroom.job.v1.failed']);
    expect(messages[0]?.attributes).toMatchObject({
      'ce-id': jobId,
      status: 'failed',
      code: 'REQUEST_INVALID',
      errorUri: `gs://${RESULTS}/${record.results.prefix}error.json`,
    });
    expect(messages[0]?.data).toMatchObject({ status: 'failed', error: { code: 'REQUEST_INVALID' } });
  });

  it('publishes on redelivery when the publish after the report did not happen', async () => {
    await events.remove();
    const image = h.upload('shop/lamp.jpg', photo);
    await h.send(image);
    const request = h.upload('shop/lamp.json', sidecar({ prompt: 'Make the photo a bit warmer' }));
    // The report and the final status are written; the publish fails: 500, so Eventarc redelivers.
    expect((await h.send(request)).status).toBe(500);
    const { jobId } = await expectSucceededJob(h, 'shop/lamp', image);
    expect((await h.job(jobId))?.notifications?.pubsub).toBeUndefined();

    await events.create();
    expect((await h.send(request)).status).toBe(204);
    const messages = await events.drain();
    expect(messages.map((m) => [m.attributes['ce-id'], m.attributes['ce-type']])).toEqual([
      [jobId, 'dev.darkroom.job.v1.succeeded'],
    ]);
    expect((await h.job(jobId))?.notifications?.pubsub?.messageId).toBe(messages[0]?.messageId);
    // And only once: a further duplicate publishes nothing.
    expect((await h.send(request)).status).toBe(204);
    expect(await events.drain()).toEqual([]);
  });
});
