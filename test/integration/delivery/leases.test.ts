import { afterEach, describe, expect, it } from 'vitest';
import { renewLease } from '../../../shared/pipeline/claim.js';
import { fault } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { createDeliveryWorld, type DeliveryWorld, waitUntil } from './delivery-harness.js';

let w: DeliveryWorld;
afterEach(async () => {
  await w.close();
});

const jobOf = async (id: string) => {
  const job = await w.h.lineage.getJob(id);
  if (!job) throw new Error(`no job ${id}`);
  return job;
};
const onlyJob = async () => {
  const [job] = await w.h.lineage.listJobs();
  if (!job) throw new Error('no job recorded');
  return job;
};

describe('leases, takeover and fencing', () => {
  it('renews the lease while a slow engine call runs, so a delivery after the first lease ran out is busy', async () => {
    w = await createDeliveryWorld({ LEASE_SECONDS: '2' });
    await w.dropJob('slow');
    w.gemini.script(fault.slow(3_500));
    const running = w.h.arrive('slow/cat.json');
    await waitUntil(() => w.calls().light === 1, 'the first engine call');
    const first = await onlyJob();
    const claimedLease = first.leaseExpiresAt.getTime();
    // Real time passes beyond the lease the claim took; only renewals keep the job.
    await waitUntil(() => Date.now() > claimedLease + 300, 'the first lease to run out');
    expect(w.calls()).toEqual({ light: 1, finish: 0 });
    const renewed = await jobOf(first.id);
    expect(renewed.leaseExpiresAt.getTime()).toBeGreaterThan(claimedLease);
    expect(expectOutcome(await w.h.arrive('slow/cat.json'), 'busy').jobId).toBe(first.id);

    expectOutcome(await running, 'succeeded');
    expect(w.calls()).toEqual({ light: 1, finish: 1 });
    expect(await jobOf(first.id)).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('takes over an expired lease (attempt 2); the old attempt is superseded and writes nothing', async () => {
    w = await createDeliveryWorld({ LEASE_SECONDS: '3', MAX_ATTEMPTS: '3' });
    await w.dropJob('takeover', { ...TWO_STAGES_KEEP });
    w.gemini.script(fault.slow(8_000));
    const old = w.h.arrive('takeover/cat.json');
    await waitUntil(() => w.calls().light === 1, 'the old attempt to call the engine');

    // Another instance, whose clock is past the old lease, gets the redelivery.
    const taken = expectOutcome(
      await w.arriveAs({ owner: 'instance-b', clockOffsetMs: 4_000 }, 'takeover/cat.json'),
      'succeeded',
    );
    // The old attempt's heartbeat finds attempt 2 in charge and aborts its engine call.
    const late = expectOutcome(await old, 'duplicate');
    expect(late.jobId).toBe(taken.jobId);

    const job = await jobOf(taken.jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempt: 2, owner: 'instance-b' });
    expect(job.error).toBeUndefined();
    const stages = await w.h.lineage.listStages(taken.jobId);
    expect(stages.map((s) => [s.name, s.attempt])).toEqual([
      ['light', 2],
      ['finish', 2],
    ]);
    const attempts = await w.h.firestore.collection('jobs').doc(taken.jobId).collection('attempts').get();
    expect(attempts.docs.map((d) => d.id).sort()).toEqual(['1', '2']);
    // The old attempt's engine call was paid for; nothing of it was stored.
    expect(w.calls()).toEqual({ light: 2, finish: 1 });
    const files = await w.results('takeover/');
    expect(files.map((f) => f.slice(f.lastIndexOf(`${taken.jobId}/`) + 25))).toEqual([
      'final.jpg',
      'manifest.json',
      'stages/01-light.jpg',
      'stages/02-finish.jpg',
    ]);

    // The fence: attempt 1 can neither renew the lease nor record a stage any more.
    expect(await renewLease(w.h.deps, taken.jobId, 1)).toBe(false);
    const [light] = stages;
    expect(
      await w.h.lineage.createStage(taken.jobId, { ...(light as NonNullable<typeof light>), attempt: 1 }),
    ).toBe(false);
    expect((await w.h.lineage.listStages(taken.jobId))[0]?.attempt).toBe(2);
  });

  it('fails the job with ATTEMPTS_EXHAUSTED after MAX_ATTEMPTS transient failures', async () => {
    w = await createDeliveryWorld({ MAX_ATTEMPTS: '2' });
    await w.dropJob('outage');
    w.gemini.inject(fault.unavailable(), 10);
    const first = expectOutcome(await w.h.arrive('outage/cat.json'), 'retry');
    expect(first.error.code).toBe('ENGINE_UNAVAILABLE');
    const between = await jobOf(first.jobId);
    expect(between).toMatchObject({ status: 'running', attempt: 1, error: { code: 'ENGINE_UNAVAILABLE' } });
    // The lease is released at once, so the redelivery need not wait for it to expire.
    expect(between.leaseExpiresAt.getTime()).toBeLessThanOrEqual(Date.now());

    const second = expectOutcome(await w.h.arrive('outage/cat.json'), 'failed');
    expect(second.error.code).toBe('ATTEMPTS_EXHAUSTED');
    expect(second.error.message).toMatch(/ENGINE_UNAVAILABLE/);
    expect(await jobOf(first.jobId)).toMatchObject({ status: 'failed', attempt: 2 });
    expect(await w.results('outage/')).toEqual([`outage/cat/${first.jobId}/error.json`]);
    expect(await w.h.resultJson(`outage/cat/${first.jobId}/error.json`)).toMatchObject({
      code: 'ATTEMPTS_EXHAUSTED',
      attempt: 2,
    });
    expect(expectOutcome(await w.h.arrive('outage/cat.json'), 'duplicate').status).toBe('failed');
    expect(w.calls()).toEqual({ light: 2, finish: 0 });
  });

  it('fails with ATTEMPTS_EXHAUSTED when the last attempt lost its lease, and the late attempt cannot undo it', async () => {
    w = await createDeliveryWorld({ MAX_ATTEMPTS: '1' });
    await w.dropJob('lost');
    w.gemini.script(fault.slow(1_500));
    const old = w.h.arrive('lost/cat.json');
    await waitUntil(() => w.calls().light === 1, 'the engine call');
    const leaseMs = w.h.deps.config.timing.leaseMs;
    const exhausted = expectOutcome(
      await w.arriveAs({ owner: 'instance-b', clockOffsetMs: leaseMs + 1_000 }, 'lost/cat.json'),
      'failed',
    );
    expect(exhausted.error.code).toBe('ATTEMPTS_EXHAUSTED');
    expectOutcome(await old, 'duplicate');
    expect(await jobOf(exhausted.jobId)).toMatchObject({
      status: 'failed',
      error: { code: 'ATTEMPTS_EXHAUSTED' },
    });
    expect(await w.results('lost/')).toEqual([`lost/cat/${exhausted.jobId}/error.json`]);
    expect(w.calls()).toEqual({ light: 1, finish: 0 });
  });
});

/** The two-stage request, keeping the stage outputs. */
const TWO_STAGES_KEEP = {
  version: 1,
  engine: 'gemini',
  stages: [
    {
      name: 'light',
      prompt: 'Warm the light to a late-afternoon glow; keep the cat unchanged.',
      imageSize: '512',
    },
    { name: 'finish', prompt: 'Add a gentle vignette around the edges of the frame.', imageSize: '512' },
  ],
  output: { formats: ['jpeg'], compareSheet: false, keepIntermediates: true },
};
