import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { INLINE_BATCH_MAX_BYTES, inputFileName, submitBatches } from '../../../shared/batch/submit.js';
import { INLINE_BATCH_LIMIT_BYTES } from '../../support/gemini-server/batches.js';
import { seededRandom } from '../../support/gemini-server/faults.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { BATCH_PROMPT, type BatchHarness, createBatchHarness } from './batch-harness.js';

/** Past the test server's pending and running time of a normal batch. */
const BATCH_DONE_MS = 200_000;
/**
 * A PNG of seeded noise, incompressible: the model receives it as it is (under the pass-through
 * size), so 50 shots of 420 px come to about 35 MB of requests, 8 of 800 px to about 20 MB.
 */
async function noisePng(seed: number, side: number): Promise<Buffer> {
  const draw = seededRandom(seed);
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(draw() * 256);
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
}

async function dropNoise(b: BatchHarness, name: string, seed: number, side = 420): Promise<string> {
  await b.h.drop(`${name}.png`, await noisePng(seed, side));
  await b.h.drop(`${name}.json`, { lane: 'batch', prompt: BATCH_PROMPT });
  return expectOutcome(await b.h.arrive(`${name}.png`), 'waiting-batch').jobId;
}

describe('the batch lane past the inline limit: one JSONL file through the Files API', () => {
  const clock = { t: 1_800_000_000_000 };
  let server: GeminiServer;
  let b: BatchHarness;
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => clock.t });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    return async () => b?.h.close();
  });

  it('50 jobs whose requests exceed the inline limit make exactly one batch, and all succeed at half the price', async () => {
    b = await createBatchHarness(server, clock, { env: { BATCH_MIN_REQUESTS: '50' } });
    const jobs: string[] = [];
    for (let i = 0; i < 50; i++) jobs.push(await dropNoise(b, `sku-${i}`, i + 1));
    const members = await Promise.all(jobs.map((j) => b.deps.batches.getMember(`${j}.s1.v1`)));
    const total = members.reduce((sum, m) => sum + (m?.bytes ?? 0), 0);
    expect(total).toBeGreaterThan(INLINE_BATCH_LIMIT_BYTES);

    const report = await submitBatches(b.deps);
    expect(report.submitted).toHaveLength(1);
    const id = report.submitted[0] as string;
    expect(server.batches.creates).toBe(1);
    expect(await b.deps.batches.getBatch(id)).toMatchObject({
      state: 'submitted',
      input: { kind: 'file', fileName: inputFileName(id) },
    });
    const [remote] = [...server.batches.batches.values()];
    expect(remote?.input).toBe('file');
    expect(remote?.requests.map((r) => r.key).sort()).toEqual(jobs.map((j) => `${j}.s1.v1`).sort());
    expect(remote?.inputBytes).toBeGreaterThan(INLINE_BATCH_MAX_BYTES);
    const create = server.calls.find((c) => c.path.endsWith(':batchGenerateContent'));
    expect(create?.body).toEqual({
      batch: { displayName: id, inputConfig: { fileName: inputFileName(id) } },
    });
    const uploaded = server.files.files.get(inputFileName(id));
    const firstLine = JSON.parse(uploaded?.data.toString('utf8').split('\n')[0] ?? '{}');
    expect(firstLine.request.generationConfig).toMatchObject({ responseModalities: ['TEXT', 'IMAGE'] });
    expect(firstLine.request.config).toBeUndefined();

    clock.t += BATCH_DONE_MS;
    const polled = await pollBatches(b.deps);
    expect(polled.resumed.filter((r) => r.kind === 'ran' && r.outcome.kind === 'succeeded')).toHaveLength(50);
    expect(server.calls.some((c) => /\/v1beta\/files\/batch-[^/]+:download$/.test(c.path))).toBe(true);
    expect(server.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);
    // The input file is deleted once its batch finished; the responses file stays with the service.
    expect(server.files.files.has(inputFileName(id))).toBe(false);
    for (const jobId of jobs) {
      expect(await b.h.lineage.getJob(jobId)).toMatchObject({ status: 'succeeded', lane: 'batch' });
      const [stage] = await b.h.lineage.listStages(jobId);
      const interactive = stage?.details?.interactiveCostUsd as number;
      expect(interactive).toBeGreaterThan(0);
      expect(stage?.costUsd).toBeCloseTo(interactive / 2, 6);
      expect(stage?.details).toMatchObject({ lane: 'batch', batchId: id });
    }
  }, 300_000);

  it('an upload whose answer was lost is found by its name on the rerun: one file, one batch', async () => {
    b = await createBatchHarness(server, clock);
    const jobs: string[] = [];
    for (let i = 0; i < 8; i++) jobs.push(await dropNoise(b, `sku-${i}`, 100 + i, 800));
    server.files.loseNextUploadAnswer();
    const first = await submitBatches(b.deps, { force: true });
    expect(first.submitted).toEqual([]);
    expect(first.unknown).toHaveLength(1);
    expect(server.files.files.size).toBe(1);
    expect(server.batches.creates).toBe(0);
    const [pending] = await b.deps.batches.listBatches({ states: ['submitting'] });
    expect(pending?.input?.kind).toBe('file');

    const rerun = await submitBatches(b.deps, { force: true });
    expect(rerun.submitted).toEqual([pending?.id]);
    expect(server.files.uploadsStarted).toBe(2);
    expect(server.files.files.size).toBe(1);
    expect(server.batches.creates).toBe(1);
    clock.t += BATCH_DONE_MS;
    await pollBatches(b.deps);
    for (const jobId of jobs) expect((await b.h.lineage.getJob(jobId))?.status).toBe('succeeded');
  }, 300_000);
});
