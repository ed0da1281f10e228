import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import { fault } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { spawnWorker } from '../../support/worker-process.js';
import { createDeliveryWorld, type DeliveryWorld, TWO_STAGES, waitUntil } from './delivery-harness.js';

let w: DeliveryWorld;
beforeEach(async () => {
  w = await createDeliveryWorld();
});
afterEach(async () => {
  await w.close();
});

describe('a worker killed mid-stage', () => {
  it('leaves stage 1 recorded; after the lease expires a redelivery resumes at stage 2 and stage 1 is never called again', async () => {
    await w.dropJob('crash', {
      ...TWO_STAGES,
      output: { ...TWO_STAGES.output, keepIntermediates: true },
    });
    // Stage 1 answers at once; stage 2's reply is slow, and the worker dies waiting for it.
    w.gemini.script({ kind: 'ok' }, fault.slow(8_000));
    const worker = spawnWorker(await w.workerJob('crash/cat.json'));
    await waitUntil(() => w.calls().finish === 1, 'the worker to call the engine for stage 2', 45_000);
    worker.kill('SIGKILL');
    expect(await worker.ended).toEqual({ kind: 'killed', signal: 'SIGKILL' });

    const [job] = await w.h.lineage.listJobs();
    if (!job) throw new Error('the worker recorded no job');
    expect(job).toMatchObject({ status: 'running', attempt: 1 });
    expect((await w.h.lineage.listStages(job.id)).map((s) => s.name)).toEqual(['light']);
    // The dead worker's lease still holds: a redelivery now must back off.
    expectOutcome(await w.h.arrive('crash/cat.json'), 'busy');

    w.advance(w.h.deps.config.timing.leaseMs + 1_000);
    const resumed = expectOutcome(await w.h.arrive('crash/cat.json'), 'succeeded');
    expect(resumed.jobId).toBe(job.id);
    expect(w.calls()).toEqual({ light: 1, finish: 2 });
    const stages = await w.h.lineage.listStages(job.id);
    expect(stages.map((s) => [s.name, s.attempt])).toEqual([
      ['light', 1],
      ['finish', 2],
    ]);
    const light = await w.h.result(`crash/cat/${job.id}/stages/01-light.jpg`);
    expect(hashBytes(light)).toBe(stages[0]?.outputAssetId);
    expect(stages[1]?.inputAssetId).toBe(stages[0]?.outputAssetId);
    expect(await w.h.lineage.getJob(job.id)).toMatchObject({ status: 'succeeded', attempt: 2 });
    const manifest = await w.h.resultJson<{ attempt: number }>(`crash/cat/${job.id}/manifest.json`);
    expect(manifest.attempt).toBe(2);
  });
});
