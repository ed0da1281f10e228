import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { submitBatches } from '../../../shared/batch/submit.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import { type BatchHarness, createBatchHarness } from './batch-harness.js';

describe('the collector never submits a batch twice', () => {
  const clock = { t: 1_800_000_000_000 };
  let server: GeminiServer;
  let b: BatchHarness;
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => clock.t });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('a collector killed between creating the batch and recording its name, rerun, leaves exactly one batch', async () => {
    b = await createBatchHarness(server, clock, {
      client: (real) => ({
        ...real,
        async create(options) {
          await real.create(options);
          throw new Error('killed before the name was recorded');
        },
      }),
    });
    const jobs = [await b.dropWaiting('a'), await b.dropWaiting('b')];
    const first = await submitBatches(b.deps, { force: true });
    expect(first.submitted).toEqual([]);
    expect(first.unknown).toHaveLength(1);
    const [record] = await b.deps.batches.listBatches({ states: ['submitting'] });
    expect(record?.state).toBe('submitting');
    expect(record?.keys.sort()).toEqual(jobs.map((j) => `${j}.s1.v1`).sort());
    expect(record?.name).toBeUndefined();

    // The rerun: another collector process on the same Firestore and buckets.
    const rerunDeps = { ...b.deps, batchClient: b.real };
    const rerun = await submitBatches(rerunDeps, { force: true });
    expect(rerun.recovered).toEqual([record?.id]);
    expect(rerun.submitted).toEqual([record?.id]);
    expect(server.batches.creates).toBe(1);
    expect(server.batches.batches.size).toBe(1);
    const again = await submitBatches(rerunDeps, { force: true });
    expect(again.submitted).toEqual([]);
    expect(server.batches.creates).toBe(1);

    clock.t += 200_000;
    const polled = await pollBatches(rerunDeps);
    expect(polled.resumed.map((r) => r.kind)).toEqual(['ran', 'ran']);
    for (const id of jobs) expect((await b.h.lineage.getJob(id))?.status).toBe('succeeded');
    await b.h.close();
  });

  it('a create whose answer is lost does not produce a second batch', async () => {
    b = await createBatchHarness(server, clock);
    const job = await b.dropWaiting('lost');
    server.batches.loseNextCreateAnswer();
    const first = await submitBatches(b.deps, { force: true });
    expect(first.unknown).toHaveLength(1);
    expect(server.batches.batches.size).toBe(1);
    const rerun = await submitBatches(b.deps, { force: true });
    expect(rerun.recovered).toHaveLength(1);
    expect(server.batches.creates).toBe(1);
    expect(server.batches.batches.size).toBe(1);
    const member = await b.deps.batches.getMember(`${job}.s1.v1`);
    expect(member).toMatchObject({ state: 'submitted', batchId: rerun.recovered[0] });
    await b.h.close();
  });

  it('a stage is a member of at most one live batch', async () => {
    b = await createBatchHarness(server, clock);
    const job = await b.dropWaiting('one');
    await submitBatches(b.deps, { force: true });
    // A second collector that read the member as waiting before the first recorded it.
    const key = `${job}.s1.v1`;
    await b.deps.batches.updateMember(key, { state: 'waiting' });
    await b.deps.batches.createBatch({
      id: 'darkroom-other',
      model: 'gemini-3.1-flash-image',
      state: 'submitting',
      keys: [key],
      rounds: { [key]: 0 },
      createdAt: new Date(clock.t),
      updatedAt: new Date(clock.t),
    });
    await submitBatches(b.deps, { force: true });
    expect(server.batches.creates).toBe(1);
    expect((await b.deps.batches.getBatch('darkroom-other'))?.keys).toEqual([]);
    await b.h.close();
  });
});
