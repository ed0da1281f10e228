import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fault } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { createDeliveryWorld, type DeliveryWorld, waitUntil } from './delivery-harness.js';

let w: DeliveryWorld;
beforeEach(async () => {
  w = await createDeliveryWorld();
});
afterEach(async () => {
  await w.close();
});

describe('the time budget of an invocation', () => {
  it('starts no engine call it cannot finish: DEADLINE_EXCEEDED, lease released, the next delivery runs the job', async () => {
    await w.dropJob('short');
    // 5 s left: less than the Gemini engine needs to start an attempt (minAttemptMs, 10 s).
    const first = expectOutcome(
      await w.h.arrive('short/cat.json', { deadline: Date.now() + 5_000 }),
      'retry',
    );
    expect(first.error.code).toBe('DEADLINE_EXCEEDED');
    expect(w.gemini.calls).toHaveLength(0);
    const job = await w.h.lineage.getJob(first.jobId);
    expect(job).toMatchObject({ status: 'running', attempt: 1, error: { code: 'DEADLINE_EXCEEDED' } });
    expect(job?.leaseExpiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await w.results('short/')).toEqual([]);

    const second = expectOutcome(await w.h.arrive('short/cat.json'), 'succeeded');
    expect(second.jobId).toBe(first.jobId);
    expect(w.calls()).toEqual({ light: 1, finish: 1 });
    expect(await w.h.lineage.getJob(first.jobId)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('records the stages it finished, stops before the next one, and the redelivery resumes there', async () => {
    await w.dropJob('budget');
    w.gemini.script(fault.slow(500));
    const deadline = Date.now() + 15_000;
    const running = w.h.arrive('budget/cat.json', { deadline });
    await waitUntil(() => w.calls().light === 1, 'stage 1 to call the engine');
    // While stage 1 runs, the invocation's clock passes its deadline.
    w.advance(20_000);
    const first = expectOutcome(await running, 'retry');
    expect(first.error.code).toBe('DEADLINE_EXCEEDED');
    expect(first.error.message).toMatch(/stage 2/);
    expect((await w.h.lineage.listStages(first.jobId)).map((s) => s.name)).toEqual(['light']);
    expect(w.calls()).toEqual({ light: 1, finish: 0 });

    expectOutcome(await w.h.arrive('budget/cat.json'), 'succeeded');
    expect(w.calls()).toEqual({ light: 1, finish: 1 });
    const stages = await w.h.lineage.listStages(first.jobId);
    expect(stages.map((s) => [s.name, s.attempt])).toEqual([
      ['light', 1],
      ['finish', 2],
    ]);
    // Stage 2's input is stage 1's stored output, verified by hash and reused.
    expect(stages[1]?.inputAssetId).toBe(stages[0]?.outputAssetId);
  });
});
