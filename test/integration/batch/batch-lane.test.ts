import { describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { INLINE_BATCH_MAX_BYTES, inputFileName, submitBatches } from '../../../shared/batch/submit.js';
import { fixture } from '../../fixtures/index.js';
import { BATCH_EXPIRY_MS, INLINE_BATCH_LIMIT_BYTES } from '../../support/gemini-server/batches.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { BATCH_DONE_MS, BATCH_PROMPT, type BatchHarness, useBatchWorld } from './batch-harness.js';

describe('the batch lane end to end: Gemini Batch Mode through the real SDK', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;

  it('50 batch-lane jobs past the inline limit make one batch from a JSONL file, and all succeed at half the interactive price', async () => {
    b = await world.open({
      env: { BATCH_MIN_REQUESTS: '50', BATCH_MAX_WAIT_SECONDS: '3600' },
    });
    const jobs: string[] = [];
    for (let i = 0; i < 49; i++) jobs.push(await b.dropWaiting(`sku-${i}`));
    expect(await submitBatches(b.deps)).toMatchObject({
      submitted: [],
      waiting: { 'gemini-3.1-flash-image': 49 },
    });
    jobs.push(await b.dropWaiting('sku-49'));
    const submitted = await submitBatches(b.deps);
    // Fifty of these requests exceed the 20 MB inline limit: still exactly one batch, from one
    // JSONL file uploaded through the Files API.
    const members = await Promise.all(jobs.map((j) => b.deps.batches.getMember(`${j}.s1.v1`)));
    expect(members.reduce((sum, m) => sum + (m?.bytes ?? 0), 0)).toBeGreaterThan(INLINE_BATCH_LIMIT_BYTES);
    const fewest = 1;
    expect(submitted.submitted).toHaveLength(1);
    const id = submitted.submitted[0] as string;
    expect(world.server.batches.creates).toBe(1);
    expect(await b.deps.batches.getBatch(id)).toMatchObject({
      state: 'submitted',
      input: { kind: 'file', fileName: inputFileName(id) },
    });
    const remote = [...world.server.batches.batches.values()];
    expect(remote.flatMap((x) => x.requests.map((r) => r.key)).sort()).toEqual(
      jobs.map((j) => `${j}.s1.v1`).sort(),
    );
    expect(remote[0]?.input).toBe('file');
    expect(remote[0]?.inputBytes).toBeGreaterThan(INLINE_BATCH_MAX_BYTES);
    expect(world.server.calls.find((c) => c.path.endsWith(':batchGenerateContent'))?.body).toEqual({
      batch: { displayName: id, inputConfig: { fileName: inputFileName(id) } },
    });
    const uploaded = world.server.files.files.get(inputFileName(id));
    const line = JSON.parse(uploaded?.data.toString('utf8').split('\n')[0] ?? '{}');
    expect(line.request.generationConfig).toMatchObject({ responseModalities: ['TEXT', 'IMAGE'] });
    expect(line.request.config).toBeUndefined();
    expect(world.server.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);

    clock.t += 30_000;
    expect((await pollBatches(b.deps)).batches.map((x) => x.state)).toEqual(Array(fewest).fill('pending'));
    clock.t += BATCH_DONE_MS;
    const polled = await pollBatches(b.deps);
    expect(polled.resumed.filter((r) => r.kind === 'ran' && r.outcome.kind === 'succeeded')).toHaveLength(50);
    expect(world.server.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);
    // The answers came as a responses file, downloaded; the input file is deleted once applied.
    expect(world.server.calls.some((c) => /\/v1beta\/files\/batch-[^/]+:download$/.test(c.path))).toBe(true);
    expect(world.server.files.files.has(inputFileName(id))).toBe(false);

    const costs: number[] = [];
    for (const id of jobs) {
      const job = await b.h.lineage.getJob(id);
      expect(job).toMatchObject({ status: 'succeeded', lane: 'batch' });
      const [stage] = await b.h.lineage.listStages(id);
      const interactive = stage?.details?.interactiveCostUsd as number;
      expect(stage?.costUsd).toBeCloseTo(interactive / 2, 6);
      expect(stage?.details).toMatchObject({ lane: 'batch', batchId: expect.stringMatching(/^darkroom-/) });
      costs.push(stage?.costUsd ?? 0);
      expect(job?.savings?.batchSavedUsd).toBeCloseTo(interactive / 2, 6);
    }
    const manifest = await b.h.resultJson<{
      lane: string;
      savings: { batchSavedUsd: number };
      stages: { lane?: string }[];
    }>(`${(await b.h.lineage.getJob(jobs[0] as string))?.results.prefix}manifest.json`);
    expect(manifest.lane).toBe('batch');
    expect(manifest.stages[0]?.lane).toBe('batch');
    expect(manifest.savings.batchSavedUsd).toBeCloseTo(costs[0] ?? 0, 6);

    // The same request in the interactive lane costs twice as much.
    await b.h.dropFile('now.png', fixture('chelsea.png'));
    await b.h.drop('now.json', { prompt: BATCH_PROMPT, lane: 'interactive' });
    const now = expectOutcome(await b.h.arrive('now.png'), 'succeeded');
    const [interactive] = await b.h.lineage.listStages(now.jobId);
    expect(interactive?.costUsd).toBeCloseTo((costs[0] ?? 0) * 2, 6);
  }, 300_000);

  it('a request failing inside the batch fails only its own job; a refusal keeps its interactive code', async () => {
    b = await world.open();
    const [ok, bad, blocked] = [
      await b.dropWaiting('ok'),
      await b.dropWaiting('bad'),
      await b.dropWaiting('blocked'),
    ];
    world.server.batches.failMember(`${bad}.s1.v1`, {
      kind: 'request-error',
      code: 400,
      message: 'Request contains an invalid argument.',
    });
    world.server.batches.failMember(`${blocked}.s1.v1`, { kind: 'blocked', reason: 'PROHIBITED_CONTENT' });
    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_DONE_MS;
    await pollBatches(b.deps);
    expect((await b.h.lineage.getJob(ok))?.status).toBe('succeeded');
    const failed = await b.h.lineage.getJob(bad);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'BATCH_REQUEST_FAILED' } });
    expect(failed?.error?.message).toContain('Request contains an invalid argument.');
    expect(await b.h.resultJson(`${failed?.results.prefix}error.json`)).toMatchObject({
      code: 'BATCH_REQUEST_FAILED',
    });
    expect(await b.h.lineage.getJob(blocked)).toMatchObject({
      status: 'failed',
      error: { code: 'ENGINE_BLOCKED' },
    });
  });

  it('an expired batch returns its stages to waiting once, then a second expiry fails them with BATCH_EXPIRED', async () => {
    b = await world.open({ env: { BATCH_EXPIRED_RESUBMITS: '1' } });
    const job = await b.dropWaiting('slow');
    const key = `${job}.s1.v1`;
    world.server.batches.stayPendingNext();
    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_EXPIRY_MS + 1;
    await pollBatches(b.deps);
    expect(await b.deps.batches.getMember(key)).toMatchObject({ state: 'waiting', round: 1 });
    expect((await b.h.lineage.getJob(job))?.status).toBe('waiting-batch');

    world.server.batches.stayPendingNext();
    const second = await submitBatches(b.deps, { force: true });
    expect(second.submitted).toHaveLength(1);
    expect(world.server.batches.creates).toBe(2);
    clock.t += BATCH_EXPIRY_MS + 1;
    await pollBatches(b.deps);
    expect(await b.h.lineage.getJob(job)).toMatchObject({
      status: 'failed',
      error: { code: 'BATCH_EXPIRED' },
    });
  });

  it('with BATCH_EXPIRED_RESUBMITS=0 an expired batch fails its stages at once', async () => {
    b = await world.open({ env: { BATCH_EXPIRED_RESUBMITS: '0' } });
    const job = await b.dropWaiting('slow');
    world.server.batches.stayPendingNext();
    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_EXPIRY_MS + 1;
    await pollBatches(b.deps);
    expect(await b.h.lineage.getJob(job)).toMatchObject({
      status: 'failed',
      error: { code: 'BATCH_EXPIRED' },
    });
  });

  it('a job with a batch Gemini stage and a later local stage finishes', async () => {
    b = await world.open();
    const job = await b.dropWaiting('mixed', {
      stages: [
        { name: 'scene', prompt: BATCH_PROMPT, seed: 5 },
        { name: 'grade', engine: 'local', prompt: 'make it warmer' },
      ],
    });
    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_DONE_MS;
    const polled = await pollBatches(b.deps);
    expect(polled.resumed[0]).toMatchObject({ kind: 'ran', outcome: { kind: 'succeeded' } });
    const stages = await b.h.lineage.listStages(job);
    expect(stages.map((s) => [s.name, s.engine])).toEqual([
      ['scene', 'gemini'],
      ['grade', 'local'],
    ]);
    expect(stages[1]?.inputAssetId).toBe(stages[0]?.outputAssetId);
  });
});
