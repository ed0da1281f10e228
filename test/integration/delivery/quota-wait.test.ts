import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReport } from '../../../shared/report/index.js';
import { fault } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { createDeliveryWorld, type DeliveryWorld } from './delivery-harness.js';

let w: DeliveryWorld;
afterEach(async () => {
  await w.close();
});

const DAY_MS = 24 * 3_600_000;

describe('quota waits, billing stops and refusals through the pipeline', () => {
  it('parks the job until the daily reset without burning attempts, then finishes it', async () => {
    w = await createDeliveryWorld({ MAX_ATTEMPTS: '2' });
    await w.dropJob('daily');
    w.gemini.inject(fault.dailyQuota(), 3);

    const first = expectOutcome(await w.h.arrive('daily/cat.json'), 'retry');
    expect(first.error.code).toBe('ENGINE_QUOTA_EXHAUSTED');
    expect(first.error.retryAfterMs).toBeGreaterThan(0);
    expect(first.error.retryAfterMs).toBeLessThanOrEqual(DAY_MS);
    const parked = await w.h.lineage.getJob(first.jobId);
    expect(parked).toMatchObject({ status: 'running', attempt: 1, quotaWaits: 1 });
    // Parked until the reset: a redelivery before it finds the job busy and creates no attempt.
    expect(parked?.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now() + 1000);
    expect(expectOutcome(await w.h.arrive('daily/cat.json'), 'busy').jobId).toBe(first.jobId);

    // Two more days of used-up quota: with MAX_ATTEMPTS=2 these would be attempts 2 and 3.
    for (const attempt of [2, 3]) {
      w.advance(DAY_MS + 60_000);
      const again = expectOutcome(await w.h.arrive('daily/cat.json'), 'retry');
      expect(again.error.code).toBe('ENGINE_QUOTA_EXHAUSTED');
      expect(await w.h.lineage.getJob(first.jobId)).toMatchObject({ attempt, quotaWaits: attempt });
    }
    w.advance(DAY_MS + 60_000);
    expectOutcome(await w.h.arrive('daily/cat.json'), 'succeeded');
    expect(await w.h.lineage.getJob(first.jobId)).toMatchObject({ status: 'succeeded', attempt: 4 });
    expect(w.gemini.calls.map((c) => c.reply)).toEqual(['error', 'error', 'error', 'ok', 'ok']);
  });

  it('ends the job at once with ENGINE_BILLING on a billing stop, with the service words in error.json', async () => {
    w = await createDeliveryWorld({ MAX_ATTEMPTS: '5' }, 5);
    await w.dropJob('billing');
    w.gemini.inject(fault.billing(), 5);
    const outcome = expectOutcome(await w.h.arrive('billing/cat.json'), 'failed');
    expect(outcome.error.code).toBe('ENGINE_BILLING');
    expect(w.gemini.calls).toHaveLength(1);
    const report = await w.h.resultJson(`billing/cat/${outcome.jobId}/error.json`);
    expect(report).toMatchObject({
      code: 'ENGINE_BILLING',
      attempt: 1,
      details: { kind: 'billing', httpStatus: 429 },
    });
    expect(String((report as { message: string }).message)).toContain('Your prepayment credits are depleted');
  });

  it("puts a refusal's own words in error.json and on the job", async () => {
    w = await createDeliveryWorld({ MAX_ATTEMPTS: '5' }, 5);
    await w.dropJob('refused');
    const words = 'Unable to show the generated image. Try rephrasing the prompt.';
    w.gemini.inject({ kind: 'refused', finishReason: 'IMAGE_OTHER', finishMessage: words });
    const outcome = expectOutcome(await w.h.arrive('refused/cat.json'), 'failed');
    expect(outcome.error.code).toBe('ENGINE_DECLINED');
    expect(w.gemini.calls).toHaveLength(1);
    const report = await w.h.resultJson(`refused/cat/${outcome.jobId}/error.json`);
    expect(report).toMatchObject({
      code: 'ENGINE_DECLINED',
      details: { finishMessage: words, reason: 'IMAGE_OTHER' },
    });
    expect((report as { message: string }).message).toContain(words);
    const job = await w.h.lineage.getJob(outcome.jobId);
    expect(job?.error?.message).toContain(words);
    const page = await writeReport({ lineage: w.h.lineage, resultsDir: w.h.resultsDir });
    expect(await readFile(page.file, 'utf8')).toContain(words);
  });
});
