import { describe, expect, it } from 'vitest';
import { cancelBatch } from '../../../shared/batch/cancel.js';
import { pollBatches } from '../../../shared/batch/poll.js';
import { submitBatches } from '../../../shared/batch/submit.js';
import { type BatchHarness, useBatchWorld } from './batch-harness.js';

describe('cancelled batches', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;

  it('a batch cancelled outside darkroom returns its stages to waiting once, then fails them with BATCH_CANCELLED', async () => {
    b = await world.open({ env: { BATCH_EXPIRED_RESUBMITS: '1' } });
    const job = await b.dropWaiting('sku');
    const key = `${job}.s1.v1`;
    const [first] = (await submitBatches(b.deps, { force: true })).submitted;
    // Cancelled through the service itself (AI Studio, another tool): no record of who.
    await b.real.cancel((await b.deps.batches.getBatch(first as string))?.name as string);
    await pollBatches(b.deps);
    expect(await b.deps.batches.getMember(key)).toMatchObject({ state: 'waiting', round: 1 });
    expect((await b.h.lineage.getJob(job))?.status).toBe('waiting-batch');

    const [second] = (await submitBatches(b.deps, { force: true })).submitted;
    expect(second).not.toBe(first);
    await b.real.cancel((await b.deps.batches.getBatch(second as string))?.name as string);
    await pollBatches(b.deps);
    const failed = await b.h.lineage.getJob(job);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'BATCH_CANCELLED' } });
    expect(failed?.error?.message).toContain('cancelled by the batch service (resubmitted 1 time(s))');
    expect(world.server.batches.creates).toBe(2);
  });

  it('with BATCH_EXPIRED_RESUBMITS=0 a cancelled batch fails its stages at once', async () => {
    b = await world.open({ env: { BATCH_EXPIRED_RESUBMITS: '0' } });
    const job = await b.dropWaiting('sku');
    const [id] = (await submitBatches(b.deps, { force: true })).submitted;
    await b.real.cancel((await b.deps.batches.getBatch(id as string))?.name as string);
    await pollBatches(b.deps);
    expect(await b.h.lineage.getJob(job)).toMatchObject({
      status: 'failed',
      error: { code: 'BATCH_CANCELLED' },
    });
  });

  it('a batch cancelled with `darkroom batch cancel` is never resubmitted, and records who cancelled it', async () => {
    b = await world.open({ env: { BATCH_EXPIRED_RESUBMITS: '3' } });
    const job = await b.dropWaiting('sku');
    const [id] = (await submitBatches(b.deps, { force: true })).submitted;
    expect(await cancelBatch(b.deps, id as string, { by: 'ana' })).toMatchObject({ kind: 'cancelled' });
    expect((await b.deps.batches.getBatch(id as string))?.cancelledBy).toEqual({
      by: 'ana',
      at: new Date(clock.t),
    });
    await pollBatches(b.deps);
    const failed = await b.h.lineage.getJob(job);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'BATCH_CANCELLED' } });
    expect(failed?.error?.message).toContain('cancelled by ana (darkroom batch cancel)');
    expect(await b.deps.batches.getMember(`${job}.s1.v1`)).toMatchObject({ state: 'failed', round: 0 });
    expect((await submitBatches(b.deps, { force: true })).submitted).toEqual([]);
    expect(world.server.batches.creates).toBe(1);
    expect(await cancelBatch(b.deps, id as string, { by: 'ana' })).toEqual({ kind: 'not-live', id });
  });
});
