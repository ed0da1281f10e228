import { describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { submitBatches } from '../../../shared/batch/submit.js';
import type { FencedJobUpdate } from '../../../shared/lineage/fence.js';
import { fixture } from '../../fixtures/index.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { BATCH_DONE_MS, BATCH_PROMPT, type BatchHarness, useBatchWorld } from './batch-harness.js';

describe('a batch finishing between "stage waits" and "job parked"', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;

  it('cannot leave the job parked: the collector submits a stage only once its job is parked', async () => {
    b = await world.open();
    const lineage = b.h.lineage;
    const park = lineage.updateJobIfCurrent.bind(lineage);
    const interleaved: { submitted: string[]; applied: number }[] = [];
    // The interleaving, injected: a whole collector pass (submit, the batch finishes, poll) runs
    // after the stage is recorded as waiting and before the job's park write.
    lineage.updateJobIfCurrent = async (jobId: string, update: FencedJobUpdate) => {
      if (update.patch.status === 'waiting-batch' && interleaved.length === 0) {
        const submitted = await submitBatches(b.deps, { force: true });
        clock.t += BATCH_DONE_MS;
        const polled = await pollBatches(b.deps);
        interleaved.push({ submitted: submitted.submitted, applied: polled.batches.length });
      }
      return park(jobId, update);
    };
    await b.h.dropFile('sku.png', fixture('chelsea.png'));
    await b.h.drop('sku.json', { lane: 'batch', prompt: BATCH_PROMPT });
    const job = expectOutcome(await b.h.arrive('sku.png'), 'waiting-batch').jobId;
    expect(interleaved).toEqual([{ submitted: [], applied: 0 }]);
    expect(world.server.batches.creates).toBe(0);
    expect(await b.deps.batches.getMember(`${job}.s1.v1`)).toMatchObject({ state: 'waiting' });

    // Parked now: the next pass submits it, and the poll after the batch finished continues it.
    expect((await submitBatches(b.deps, { force: true })).submitted).toHaveLength(1);
    clock.t += BATCH_DONE_MS;
    const polled = await pollBatches(b.deps);
    expect(polled.resumed).toMatchObject([{ kind: 'ran', jobId: job, outcome: { kind: 'succeeded' } }]);
    expect(await lineage.getJob(job)).toMatchObject({ status: 'succeeded', lane: 'batch' });
  });

  it('a stage whose job crashed before parking waits until a retry parks the job', async () => {
    b = await world.open();
    const lineage = b.h.lineage;
    const park = lineage.updateJobIfCurrent.bind(lineage);
    let crash = true;
    lineage.updateJobIfCurrent = async (jobId: string, update: FencedJobUpdate) => {
      if (update.patch.status === 'waiting-batch' && crash) {
        crash = false;
        throw new Error('the instance died before the park write');
      }
      return park(jobId, update);
    };
    await b.h.dropFile('sku.png', fixture('chelsea.png'));
    await b.h.drop('sku.json', { lane: 'batch', prompt: BATCH_PROMPT });
    await expect(b.h.arrive('sku.png')).rejects.toThrow('the instance died');
    expect((await submitBatches(b.deps, { force: true })).submitted).toEqual([]);

    // The platform redelivers once the lease ran out; the attempt finds its member and parks.
    clock.t += 3_600_000;
    const job = expectOutcome(await b.h.arrive('sku.png'), 'waiting-batch').jobId;
    expect((await submitBatches(b.deps, { force: true })).submitted).toHaveLength(1);
    clock.t += BATCH_DONE_MS;
    await pollBatches(b.deps);
    expect((await lineage.getJob(job))?.status).toBe('succeeded');
  });
});
