/**
 * Signed webhooks from the Cloud Function: the deployment-wide WEBHOOK_URL and a request's own
 * `notify.url` (host in WEBHOOK_HOSTS), each delivered once, verified by a `standardwebhooks`
 * receiver and recorded in lineage; a `notify.url` outside WEBHOOK_HOSTS fails validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';
import { expectFailedJob, expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;
let receiver: WebhookReceiver;
let photo: Buffer;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  h = await startFunctionHarness({
    WEBHOOK_URL: `${receiver.url}/all-jobs`,
    WEBHOOK_HOSTS: '127.0.0.1',
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    // The receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  photo = await smallPhoto();
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('processUpload webhooks', () => {
  it('delivers to WEBHOOK_URL and to the request’s notify.url once, signed, and records the attempts', async () => {
    const image = h.upload('hooks/cup.jpg', photo);
    await h.send(image);
    const request = h.upload(
      'hooks/cup.json',
      sidecar({ prompt: 'Make the photo a bit warmer', notify: { url: `${receiver.url}/sku/cup` } }),
    );
    expect((await h.send(request)).status).toBe(204);
    const { jobId } = await expectSucceededJob(h, 'hooks/cup', image);
    expect((await h.send(request)).status).toBe(204);

    expect(receiver.deliveries.map((d) => [d.path, d.verified])).toEqual([
      ['/all-jobs', true],
      ['/sku/cup', true],
    ]);
    expect(JSON.parse(receiver.deliveries[0]?.body ?? '')).toMatchObject({
      type: 'dev.darkroom.job.v1.succeeded',
      data: { jobId, status: 'succeeded' },
    });
    const webhooks = (await h.job(jobId))?.notifications?.webhooks;
    expect(webhooks?.map((w) => [w.url, w.status, w.attempts.map((a) => a.status)])).toEqual([
      [`${receiver.url}/all-jobs`, 'delivered', [204]],
      [`${receiver.url}/sku/cup`, 'delivered', [204]],
    ]);
  });

  it('refuses a notify.url whose host is not in WEBHOOK_HOSTS at validation', async () => {
    receiver.deliveries.length = 0;
    const image = h.upload('hooks/lamp.jpg', photo);
    await h.send(image);
    const request = h.upload(
      'hooks/lamp.json',
      sidecar({ prompt: 'Make the photo a bit warmer', notify: { url: 'https://hooks.example.net/in' } }),
    );
    expect((await h.send(request)).status).toBe(204);
    const { report } = await expectFailedJob(h, 'hooks/lamp', 'REQUEST_INVALID', image);
    expect(report.message).toBe(
      'notify.url: host "hooks.example.net" is not one of WEBHOOK_HOSTS (127.0.0.1)',
    );
    // The failure itself is announced to the deployment-wide webhook only.
    expect(receiver.deliveries.map((d) => [d.path, JSON.parse(d.body).type])).toEqual([
      ['/all-jobs', 'dev.darkroom.job.v1.failed'],
    ]);
  });
});
