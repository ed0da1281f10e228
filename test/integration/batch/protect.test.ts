import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { submitBatches } from '../../../shared/batch/submit.js';
import type { ProtectRecord } from '../../../shared/protect/index.js';
import { FIXTURES_DIR } from '../../fixtures/index.js';
import { fault } from '../../support/gemini-server.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { productKept } from '../../support/product-kept.js';
import { BATCH_DONE_MS, type BatchHarness, useBatchWorld } from './batch-harness.js';

const PROMPT =
  'Replace the studio backdrop behind the espresso cup with a warm wooden cafe counter in soft morning light. ' +
  'Keep the cup, the saucer and the spoon exactly as they are, with their colours, shapes and reflections. ' +
  'Style: natural editorial product photography with a gentle contact shadow and no added text.';

describe('protect: subject in the batch lane', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;
  let source: Buffer;
  beforeAll(async () => {
    // 1024 × 683 is the size the server answers for a 3:2 input, so no resampling blurs the comparison.
    source = await sharp(join(FIXTURES_DIR, 'local/product-on-white.png'))
      .resize(1024, 683, { fit: 'fill', kernel: 'lanczos3' })
      .png()
      .toBuffer();
  });

  it('measures the drift of each batch answer, retries a drifted one in the next batch with a new seed, and composites the product back', async () => {
    b = await world.open();
    await b.h.drop('shop/cup.png', source);
    await b.h.drop('shop/cup.json', {
      lane: 'batch',
      stages: [{ name: 'scene', prompt: PROMPT, seed: 11, protect: 'subject', drift: { retries: 2 } }],
      output: { formats: ['png'] },
    });
    const job = expectOutcome(await b.h.arrive('shop/cup.png'), 'waiting-batch').jobId;
    const key = `${job}.s1.v1`;
    // The first answer moves the product 40 px; the retry's answer keeps it.
    world.server.batches.failMember(key, fault.moved(40));
    world.server.batches.failMember(`${key}.a1`, fault.kept());

    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_DONE_MS;
    const first = await pollBatches(b.deps);
    // Drifted: the retry is a new batch request, and the job waits for it.
    expect(first.resumed).toMatchObject([
      { kind: 'ran', outcome: { kind: 'waiting-batch', keys: [`${key}.a1`] } },
    ]);
    expect(await b.deps.batches.getMember(`${key}.a1`)).toMatchObject({
      state: 'waiting',
      stage: 1,
      variant: 1,
    });

    await submitBatches(b.deps, { force: true });
    clock.t += BATCH_DONE_MS;
    const second = await pollBatches(b.deps);
    expect(second.resumed).toMatchObject([{ kind: 'ran', outcome: { kind: 'succeeded' } }]);
    expect(world.server.batches.creates).toBe(2);
    expect(world.server.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);
    // What went to the batches was the product on its canvas, each with its recorded seed.
    const sent = [...world.server.batches.batches.values()].flatMap((x) => x.requests);
    expect(sent.map((r) => r.request.generationConfig.seed)).toEqual([11, 11 + 1_000_003]);

    const done = await b.h.lineage.getJob(job);
    const manifest = await b.h.resultJson<{ stages: { protect: ProtectRecord; lane?: string }[] }>(
      `${done?.results.prefix}manifest.json`,
    );
    const protect = manifest.stages[0]?.protect as ProtectRecord;
    expect(manifest.stages[0]?.lane).toBe('batch');
    expect(protect.attempts.map((a) => [a.seed, a.accepted])).toEqual([
      [11, false],
      [11 + 1_000_003, true],
    ]);
    expect(protect.chosenSeed).toBe(11 + 1_000_003);

    // Inside its mask the final product is the source's, pixel for pixel (≤ 2/255 after encoding).
    const kept = await productKept(source, await b.h.result(`${done?.results.prefix}final.png`));
    expect([kept.width, kept.height]).toEqual([1024, 683]);
    expect(kept.inside).toBeGreaterThan(1024 * 683 * 0.3);
    expect(kept.worst).toBeLessThanOrEqual(2);
  }, 120_000);
});
