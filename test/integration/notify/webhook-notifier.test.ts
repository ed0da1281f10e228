/**
 * The webhook notifier against a real HTTP receiver that verifies signatures with the
 * `standardwebhooks` package: signing, bounded retries with backoff, each attempt recorded,
 * and the private-address guard.
 */

import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { silentLogger } from '../../../shared/log.js';
import {
  createWebhookNotifier,
  type WebhookNotifierOptions,
} from '../../../shared/notify/webhook-notifier.js';
import { jobRecord } from '../../support/lineage-store-contract.js';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';

let receiver: WebhookReceiver;
const pauses: number[] = [];
beforeEach(async () => {
  receiver = await startWebhookReceiver();
  pauses.length = 0;
});
afterEach(async () => {
  await receiver.close();
});

const job = (overrides: Partial<JobRecord> = {}) =>
  jobRecord('J1', { status: 'succeeded', finishedAt: new Date('2026-03-01T12:05:00Z'), ...overrides });

const notifier = (options: Partial<WebhookNotifierOptions> = {}) =>
  createWebhookNotifier({
    secret: TEST_WEBHOOK_SECRET,
    url: `${receiver.url}/hooks/darkroom`,
    allowPrivate: true,
    maxAttempts: 4,
    log: silentLogger,
    sleep: async (ms) => {
      pauses.push(ms);
    },
    ...options,
  });

describe('createWebhookNotifier', () => {
  it('signs per Standard Webhooks: the receiver verifies, and a tampered body fails', async () => {
    const records = await notifier().deliver(job(), undefined);
    expect(records).toMatchObject([
      { url: `${receiver.url}/hooks/darkroom`, status: 'delivered', messageId: 'msg_J1' },
    ]);
    const [delivery] = receiver.deliveries;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(delivery?.body ?? '')).toMatchObject({
      type: 'dev.darkroom.job.v1.succeeded',
      data: { jobId: 'J1', status: 'succeeded', labels: { sku: 'CUP-1' } },
    });
    const headers = delivery?.headers as Record<string, string>;
    const tampered = (delivery?.body ?? '').replace('CUP-1', 'CUP-2');
    expect(() => new Webhook(TEST_WEBHOOK_SECRET).verify(tampered, headers)).toThrow(/signature/i);
    expect(() =>
      new Webhook('whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldA==').verify(delivery?.body ?? '', headers),
    ).toThrow();
  });

  it('retries 503 and 429 with backoff, keeps the message id, and records every attempt', async () => {
    receiver.script(503, 429);
    const [record] = (await notifier().deliver(job(), undefined)) ?? [];
    expect(record?.status).toBe('delivered');
    expect(record?.attempts.map((a) => a.status)).toEqual([503, 429, 204]);
    expect(pauses).toEqual([1000, 2000]);
    expect(new Set(receiver.deliveries.map((d) => d.headers['webhook-id']))).toEqual(new Set(['msg_J1']));
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS, and stops at once on a 4xx', async () => {
    receiver.script(500, 500, 500);
    const [exhausted] = (await notifier({ maxAttempts: 3 }).deliver(job(), undefined)) ?? [];
    expect(exhausted).toMatchObject({ status: 'failed' });
    expect(exhausted?.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    receiver.script(410);
    const [gone] = (await notifier().deliver(job({ id: 'J2' }), undefined)) ?? [];
    expect(gone?.attempts.map((a) => a.status)).toEqual([410]);
  });

  it('does not deliver again to a target already recorded', async () => {
    const first = await notifier().deliver(job(), undefined);
    const again = await notifier().deliver(job(), first);
    expect(again).toBe(first);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('connects to a host name through the guarded lookup when private addresses are allowed', async () => {
    const url = `${receiver.url.replace('127.0.0.1', 'localhost')}/by-name`;
    const [record] = (await notifier({ url }).deliver(job(), undefined)) ?? [];
    expect(record?.status).toBe('delivered');
    expect(receiver.deliveries.map((d) => [d.path, d.verified])).toEqual([['/by-name', true]]);
  });

  it.each([
    ['a loopback address', () => `${receiver.url}/hook`],
    ['a name that resolves to loopback', () => `${receiver.url.replace('127.0.0.1', 'localhost')}/hook`],
    ['the metadata server', () => 'http://169.254.169.254/computeMetadata/v1/'],
  ])('never sends to %s without WEBHOOK_ALLOW_PRIVATE', async (_what, url) => {
    const [record] = (await notifier({ url: url(), allowPrivate: false }).deliver(job(), undefined)) ?? [];
    expect(record?.status).toBe('failed');
    expect(record?.attempts).toHaveLength(1);
    expect(record?.attempts[0]?.error).toMatch(
      /private, loopback or link-local.*WEBHOOK_ALLOW_PRIVATE=false/,
    );
    expect(receiver.deliveries).toEqual([]);
  });
});
