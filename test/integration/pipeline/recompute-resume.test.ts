import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, EngineRequest } from '../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { TransientError } from '../../../shared/errors.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

const TWO_STAGES = {
  version: 1,
  stages: [
    { name: 'warm', prompt: 'make it warmer' },
    { name: 'mono', prompt: 'black and white' },
  ],
  output: { formats: ['jpeg'], compareSheet: false, keepIntermediates: false },
};

/**
 * The local engine, except that stage `mono` fails once (transiently) and `warm` can be made to
 * drift; `requests` keeps what each call was asked.
 */
function flakyLocal(): { engine: Engine; drift: () => void; calls: string[]; requests: EngineRequest[] } {
  const local = createLocalEngine();
  const calls: string[] = [];
  const requests: EngineRequest[] = [];
  let drifted = false;
  let failed = false;
  const engine: Engine = {
    ...local,
    async edit(request) {
      calls.push(request.stage.name);
      requests.push(request);
      if (request.stage.name === 'mono' && !failed) {
        failed = true;
        throw new TransientError('ENGINE_UNAVAILABLE', 'the engine is busy, try again');
      }
      const result = await local.edit(request);
      if (!drifted || request.stage.name !== 'warm') return result;
      const data = await sharp(result.image.data).modulate({ brightness: 1.2 }).png().toBuffer();
      return { ...result, image: { ...result.image, data, pixels: undefined } };
    },
  };
  return { engine, drift: () => (drifted = true), calls, requests };
}

describe('a recomputable stage without kept intermediates, on a resume', () => {
  let h: PipelineHarness;
  afterEach(async () => {
    await h.close();
  });

  it('is recorded but not stored, and a redelivery recomputes it to the recorded hash', async () => {
    const flaky = flakyLocal();
    h = await createPipelineHarness({ engines: [flaky.engine] });
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    await h.drop('r/cat.json', TWO_STAGES);
    const first = expectOutcome(await h.arrive('r/cat.png'), 'retry');
    const recorded = await h.lineage.listStages(first.jobId);
    expect(recorded.map((s) => s.name)).toEqual(['warm']);
    await expect(h.result(`r/cat/${first.jobId}/stages/01-warm.png`)).rejects.toThrow();

    const second = expectOutcome(await h.arrive('r/cat.png'), 'succeeded');
    expect(flaky.calls).toEqual(['warm', 'mono', 'warm', 'mono']);
    const manifest = await h.resultJson<{
      stages: { name: string; resumed: boolean; output: { sha256: string } }[];
    }>(`${second.prefix}manifest.json`);
    expect(manifest.stages.map((s) => [s.name, s.resumed])).toEqual([
      ['warm', true],
      ['mono', false],
    ]);
    expect(manifest.stages[0]?.output.sha256).toBe(recorded[0]?.outputAssetId);
  });

  it('continues from an output an earlier version recorded with the other encoding', async () => {
    const flaky = flakyLocal();
    h = await createPipelineHarness({ engines: [flaky.engine] });
    // The first attempt runs as a version without fast encoding did: a compressed, tagged PNG.
    const edit = flaky.engine.edit.bind(flaky.engine);
    let slow = true;
    flaky.engine.edit = (request) => edit(slow ? { ...request, fastEncoding: false } : request);
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    await h.drop('r/cat.json', TWO_STAGES);
    const first = expectOutcome(await h.arrive('r/cat.png'), 'retry');
    const [recorded] = await h.lineage.listStages(first.jobId);
    slow = false;
    const second = expectOutcome(await h.arrive('r/cat.png'), 'succeeded');
    // The resume's first recomputation (fast) does not match the record; the other encoding does.
    expect(flaky.requests.map((r) => [r.stage.name, r.fastEncoding])).toEqual([
      ['warm', false],
      ['mono', false],
      ['warm', true],
      ['warm', false],
      ['mono', true],
    ]);
    const [warm] = await h.lineage.listStages(second.jobId);
    expect(warm?.outputAssetId).toBe(recorded?.outputAssetId);
  });

  it('refuses to continue from a recomputed output whose hash differs from the record', async () => {
    const flaky = flakyLocal();
    h = await createPipelineHarness({ engines: [flaky.engine] });
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    await h.drop('r/cat.json', TWO_STAGES);
    expectOutcome(await h.arrive('r/cat.png'), 'retry');
    flaky.drift();
    const second = expectOutcome(await h.arrive('r/cat.png'), 'retry');
    expect(second.error.code).toBe('INTERNAL');
    expect(second.error.message).toMatch(/stage 1: recomputed output has hash .* lineage says/);
  });
});

describe('a recomputable stage without kept intermediates', () => {
  let h: PipelineHarness;
  afterEach(async () => {
    await h.close();
  });

  it('looks up no stored output and no cache entry, and is encoded for speed in a job of local stages', async () => {
    const flaky = flakyLocal();
    h = await createPipelineHarness({ engines: [flaky.engine] });
    const looked: string[] = [];
    const { store, lineage } = h.deps;
    h.deps.store = {
      ...store,
      list: (bucket, prefix, options) => {
        looked.push(`list ${prefix}`);
        return store.list(bucket, prefix, options);
      },
    };
    h.deps.lineage = {
      ...lineage,
      getCachedStage: (key) => {
        looked.push('cache');
        return lineage.getCachedStage(key);
      },
    };
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    await h.drop('r/cat.json', { ...TWO_STAGES, stages: [TWO_STAGES.stages[0]] });
    expectOutcome(await h.arrive('r/cat.png'), 'succeeded');
    expect(looked.filter((l) => l === 'cache' || l.includes('/stages/'))).toEqual([]);
    expect(flaky.requests.map((r) => r.fastEncoding)).toEqual([true]);
  });

  it("is encoded as a stored one when a generative engine reads the job's images", async () => {
    const flaky = flakyLocal();
    const generative: Engine = { ...createLocalEngine(), name: 'painter', generative: true };
    h = await createPipelineHarness({ engines: [flaky.engine, generative] });
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    await h.drop('r/cat.json', {
      ...TWO_STAGES,
      stages: [TWO_STAGES.stages[0], { name: 'paint', prompt: 'black and white', engine: 'painter' }],
    });
    expectOutcome(await h.arrive('r/cat.png'), 'succeeded');
    expect(flaky.requests.map((r) => [r.stage.name, r.fastEncoding])).toEqual([['warm', false]]);
  });
});

describe('a kept recomputable stage whose stored output was lost, on a resume', () => {
  let h: PipelineHarness;
  afterEach(async () => {
    await h.close();
  });

  it('is recomputed to the recorded hash and stored again', async () => {
    const flaky = flakyLocal();
    h = await createPipelineHarness({ engines: [flaky.engine] });
    await h.dropFile('r/cat.png', fixture('chelsea.png'));
    const kept = { ...TWO_STAGES, output: { ...TWO_STAGES.output, keepIntermediates: true } };
    await h.drop('r/cat.json', kept);
    const first = expectOutcome(await h.arrive('r/cat.png'), 'retry');
    const stored = `r/cat/${first.jobId}/stages/01-warm.png`;
    const before = await h.result(stored);
    await rm(join(h.resultsDir, stored));
    const second = expectOutcome(await h.arrive('r/cat.png'), 'succeeded');
    expect(flaky.calls).toEqual(['warm', 'mono', 'warm', 'mono']);
    expect((await h.result(stored)).equals(before)).toBe(true);
    const [warm] = await h.lineage.listStages(second.jobId);
    expect(warm?.outputAssetId).toBe(createHash('sha256').update(before).digest('hex'));
  });
});
