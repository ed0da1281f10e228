import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/** A prompt in the 40–80 word range the lint likes, varied by `what`. */
const prompt = (what: string) =>
  `${what}. Keep the composition, the framing and every object exactly where it is, preserve the textures of the table and the cup, ` +
  'and keep the natural daylight coming from the left. Style: clean editorial product photography with true colours, ' +
  'soft shadows and no added objects or text.';

describe('iterating like a conversation: revisions, the stage cache, seeds and variants', () => {
  let gemini: GeminiServer;
  let h: PipelineHarness;
  beforeAll(async () => {
    gemini = await startGeminiServer();
  });
  afterAll(async () => {
    await gemini.close();
  });
  beforeEach(async () => {
    gemini.reset();
    h = await createPipelineHarness({
      env: { DARKROOM_ENGINE: 'gemini', GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: gemini.url },
    });
    await h.dropFile('cafe.png', fixture('coffee.png'));
    return () => h.close();
  });

  const threeStages = (last: string) => ({
    stages: [
      { name: 'background', prompt: prompt('Replace the background with a marble counter') },
      { name: 'light', prompt: prompt('Make the light warmer, like late afternoon sun') },
      { name: 'finish', prompt: prompt(last) },
    ],
  });
  const seedsSent = () => gemini.calls.map((c) => c.generationConfig?.seed);

  it('a revision that changes only the last stage makes exactly one engine call and inherits the seeds', async () => {
    await h.drop('cafe.json', threeStages('Add a subtle film look'));
    const first = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    expect(gemini.calls).toHaveLength(3);
    const firstStages = await h.lineage.listStages(first.jobId);

    gemini.reset();
    await h.drop('cafe.json', threeStages('Add a strong film look with grain'));
    const second = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    expect(second.jobId).not.toBe(first.jobId);
    expect(gemini.calls).toHaveLength(1);
    // The recomputed stage was sent with the seed stage 3 used before.
    expect(seedsSent()).toEqual([firstStages[2]?.seed]);

    const job = await h.lineage.getJob(second.jobId);
    expect(job?.previousJobId).toBe(first.jobId);
    expect(job?.savings?.engineCallsAvoided).toBe(2);
    expect(job?.savings?.savedUsd).toBeGreaterThan(0);
    const stages = await h.lineage.listStages(second.jobId);
    expect(stages.map((s) => s.seed)).toEqual(firstStages.map((s) => s.seed));
    expect(stages[0]?.reusedFrom).toMatchObject({ via: 'cache', jobId: first.jobId, stage: 1 });
    expect(stages[1]?.reusedFrom).toMatchObject({ via: 'cache', jobId: first.jobId, stage: 2 });
    expect(stages[2]?.reusedFrom).toBeUndefined();
    expect(stages[2]?.inputAssetId).toBe(firstStages[1]?.outputAssetId);
    const manifest = await h.resultJson<{ previousJobId: string; savings: { engineCallsAvoided: number } }>(
      `${second.prefix}manifest.json`,
    );
    expect(manifest.previousJobId).toBe(first.jobId);
    expect(manifest.savings.engineCallsAvoided).toBe(2);
  });

  it('recomputes everything when the request turns the cache off, and "random" opts out of the inherited seed', async () => {
    await h.drop('cafe.json', threeStages('Add a subtle film look'));
    const first = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    const firstSeeds = (await h.lineage.listStages(first.jobId)).map((s) => s.seed);

    gemini.reset();
    await h.drop('cafe.json', { ...threeStages('Add a subtle film look'), cache: false });
    const second = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    expect(gemini.calls).toHaveLength(3);
    expect(seedsSent()).toEqual(firstSeeds);

    gemini.reset();
    const request = threeStages('Add a subtle film look');
    await h.drop('cafe.json', {
      stages: [{ ...request.stages[0], seed: 'random' }, ...request.stages.slice(1)],
    });
    const third = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    const thirdStages = await h.lineage.listStages(third.jobId);
    expect(thirdStages[0]?.seed).not.toBe(firstSeeds[0]);
    // A new seed for stage 1 changes its output, so every later stage is recomputed too.
    expect(gemini.calls).toHaveLength(3);
    expect((await h.lineage.getJob(third.jobId))?.previousJobId).toBe(second.jobId);
  });

  it('variants produce N distinct stored outputs; the next stage continues from variant 1; a revision can pin another', async () => {
    await h.drop('cafe.json', {
      stages: [
        { name: 'scene', prompt: prompt('Replace the background with a sunny terrace'), variants: 3 },
        { name: 'crop', prompt: prompt('Tighten the framing around the cup') },
      ],
    });
    const first = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    expect(gemini.calls).toHaveLength(4);
    const [scene, crop] = await h.lineage.listStages(first.jobId);
    expect(scene?.variants).toHaveLength(3);
    const seeds = scene?.variants?.map((v) => v.seed) ?? [];
    expect(new Set(seeds).size).toBe(3);
    expect(seedsSent().slice(0, 3)).toEqual(seeds);
    for (const v of scene?.variants ?? []) {
      expect(hashBytes(await h.result(v.output.name))).toBe(v.outputAssetId);
    }
    expect(crop?.inputAssetId).toBe(scene?.variants?.[0]?.outputAssetId);

    gemini.reset();
    await h.drop('cafe.json', {
      stages: [
        { name: 'scene', from: { job: first.jobId, stage: 1, variant: 2 } },
        { name: 'crop', prompt: prompt('Tighten the framing around the cup') },
      ],
    });
    const second = expectOutcome(await h.arrive('cafe.json'), 'succeeded');
    expect(gemini.calls).toHaveLength(1);
    const [pinned, cropped] = await h.lineage.listStages(second.jobId);
    expect(pinned?.reusedFrom).toMatchObject({ via: 'pin', jobId: first.jobId, stage: 1, variant: 2 });
    // The pinned result's seed, and no warning naming the (never used) inherited one.
    expect(pinned?.seed).toBe(seeds[1]);
    expect(pinned?.warnings.filter((w) => w.includes('inherited'))).toEqual([]);
    expect(pinned?.seedSource).toBeUndefined();
    expect(cropped?.inputAssetId).toBe(scene?.variants?.[1]?.outputAssetId);
  });

  it('a pin to a stage that does not exist fails the job with a clear message', async () => {
    await h.drop('cafe.json', { stages: [{ from: { job: 'a'.repeat(24), stage: 1 } }] });
    const failed = expectOutcome(await h.arrive('cafe.json'), 'failed');
    expect(failed.error.code).toBe('REFERENCE_MISSING');
    expect(failed.error.message).toMatch(/stages\[0\]\.from: job a{24} has no recorded stage 1/);
    expect(gemini.calls).toHaveLength(0);
  });
});
