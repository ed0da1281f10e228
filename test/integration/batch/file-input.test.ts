import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { INLINE_BATCH_MAX_BYTES, inputFileName, submitBatches } from '../../../shared/batch/submit.js';
import { seededRandom } from '../../support/gemini-server/faults.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { BATCH_DONE_MS, BATCH_PROMPT, type BatchHarness, useBatchWorld } from './batch-harness.js';

/**
 * A PNG of seeded noise, incompressible: the model receives it as it is (under the pass-through
 * size), so 8 shots of 800 px come to about 20 MB of requests, past the inline limit. (The 50-job
 * test of batch-lane.test.ts goes through a file too.)
 */
async function noisePng(seed: number, side: number): Promise<Buffer> {
  const draw = seededRandom(seed);
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(draw() * 256);
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
}

async function dropNoise(b: BatchHarness, name: string, seed: number, side = 800): Promise<string> {
  await b.h.drop(`${name}.png`, await noisePng(seed, side));
  await b.h.drop(`${name}.json`, { lane: 'batch', prompt: BATCH_PROMPT });
  return expectOutcome(await b.h.arrive(`${name}.png`), 'waiting-batch').jobId;
}

describe('the batch lane past the inline limit: one JSONL file through the Files API', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;

  it('an upload whose answer was lost is found by its name on the rerun: one file, one batch', async () => {
    b = await world.open();
    const jobs: string[] = [];
    for (let i = 0; i < 8; i++) jobs.push(await dropNoise(b, `sku-${i}`, 100 + i));
    world.server.files.loseNextUploadAnswer();
    const first = await submitBatches(b.deps, { force: true });
    expect(first.submitted).toEqual([]);
    expect(first.unknown).toHaveLength(1);
    expect(world.server.files.files.size).toBe(1);
    expect(world.server.batches.creates).toBe(0);
    const members = await Promise.all(jobs.map((j) => b.deps.batches.getMember(`${j}.s1.v1`)));
    expect(members.reduce((sum, m) => sum + (m?.bytes ?? 0), 0)).toBeGreaterThan(INLINE_BATCH_MAX_BYTES);
    const [pending] = await b.deps.batches.listBatches({ states: ['submitting'] });
    expect(pending?.input?.kind).toBe('file');

    const rerun = await submitBatches(b.deps, { force: true });
    expect(rerun.submitted).toEqual([pending?.id]);
    expect(world.server.files.uploadsStarted).toBe(2);
    expect([...world.server.files.files.keys()]).toEqual([inputFileName(pending?.id as string)]);
    expect(world.server.batches.creates).toBe(1);
    clock.t += BATCH_DONE_MS;
    await pollBatches(b.deps);
    for (const jobId of jobs) expect((await b.h.lineage.getJob(jobId))?.status).toBe('succeeded');
  }, 300_000);
});
