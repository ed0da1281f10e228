import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('whole jobs through the local engine, the fs store and Firestore', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs a two-stage sidecar job: outputs, manifest and lineage documents', async () => {
    await h.dropFile('pets/chelsea.png', fixture('chelsea.png'));
    await h.drop('pets/chelsea.json', {
      version: 1,
      labels: { sku: 'CAT-1' },
      stages: [
        { name: 'warm', prompt: 'make it warmer', keep: ['the eyes'] },
        { name: 'mono', prompt: 'black and white', seed: 7 },
      ],
      output: { formats: ['webp', 'jpeg'] },
    });
    expectOutcome(await h.arrive('pets/chelsea.png'), 'succeeded');
    const done = expectOutcome(await h.arrive('pets/chelsea.json'), 'duplicate');
    const jobId = done.jobId;
    const prefix = `pets/chelsea/${jobId}/`;

    const manifest = await h.resultJson<{
      stages: { name: string; seed: number; effectivePrompt: string; output: { sha256: string } }[];
      outputs: { role: string; name: string }[];
      labels: Record<string, string>;
      inputs: { image: { sha256: string } };
    }>(`${prefix}manifest.json`);
    expect(manifest.stages.map((s) => s.name)).toEqual(['warm', 'mono']);
    expect(manifest.stages[0]?.effectivePrompt).toBe(
      'make it warmer. Keep the eyes unchanged; preserve all other details.',
    );
    expect(manifest.stages[1]?.seed).toBe(7);
    expect(manifest.stages[0]?.seed).toBeTypeOf('number');
    expect(manifest.labels).toEqual({ sku: 'CAT-1' });
    const finals = manifest.outputs.filter((o) => o.role === 'final').map((o) => o.name);
    expect(finals).toEqual([`${prefix}final.webp`, `${prefix}final.jpg`]);

    // The final output is black and white: channels agree.
    const stats = await sharp(await h.result(`${prefix}final.jpg`)).stats();
    const [r, g, b] = stats.channels;
    expect(Math.abs((r?.mean ?? 0) - (b?.mean ?? 0))).toBeLessThan(2);
    expect(Math.abs((r?.mean ?? 0) - (g?.mean ?? 0))).toBeLessThan(2);

    // Stage 2's input is stage 1's output.
    const job = await h.lineage.getJob(jobId);
    expect(job?.status).toBe('succeeded');
    expect(job?.labels).toEqual({ sku: 'CAT-1' });
    const stages = await h.lineage.listStages(jobId);
    expect(stages).toHaveLength(2);
    expect(stages[1]?.inputAssetId).toBe(stages[0]?.outputAssetId);
    expect(stages[0]?.inputAssetId).toBe(manifest.inputs.image.sha256);
    const stored = await h.result(`${prefix}stages/01-warm.png`);
    expect(hashBytes(stored)).toBe(stages[0]?.outputAssetId);

    // Assets link outputs to their sources.
    const finalAsset = await h.lineage.getAsset(hashBytes(await h.result(`${prefix}final.webp`)));
    expect(finalAsset?.producedBy).toMatchObject({ jobId, role: 'final' });
    expect(finalAsset?.derivedFrom).toEqual([stages[1]?.outputAssetId]);
    const stageAsset = await h.lineage.getAsset(stages[0]?.outputAssetId ?? '');
    expect(stageAsset?.derivedFrom).toEqual([manifest.inputs.image.sha256]);
  });

  it('pairs a sidecar that arrives first once its image arrives', async () => {
    await h.drop('a/photo.json', { prompt: 'brighter' });
    const first = expectOutcome(await h.arrive('a/photo.json'), 'waiting');
    expect(first.reason).toMatch(/photo/);
    await h.dropFile('a/photo.png', fixture('coffee.png'));
    const job = expectOutcome(await h.arrive('a/photo.png'), 'succeeded');
    expect(job.prefix).toBe(`a/photo/${job.jobId}/`);
  });

  it('applies the nearest recipe to images without a sidecar, and a recipe alone triggers nothing', async () => {
    await h.drop('hot/_recipe.json', { prompt: 'black and white' });
    await h.drop('hot/deeper/_recipe.json', { prompt: 'sepia' });
    expectOutcome(await h.arrive('hot/_recipe.json'), 'ignored');
    await h.dropFile('hot/deeper/x/cat.png', fixture('chelsea.png'));
    const job = expectOutcome(await h.arrive('hot/deeper/x/cat.png'), 'succeeded');
    const record = await h.lineage.getJob(job.jobId);
    expect(record?.inputs.requestKind).toBe('recipe');
    expect(record?.inputs.request?.name).toBe('hot/deeper/_recipe.json');
  });

  it('a new sidecar for the same image is a new job; the same upload is the same job', async () => {
    await h.dropFile('p.png', fixture('coffee.png'));
    await h.drop('p.json', { prompt: 'warmer' });
    const one = expectOutcome(await h.arrive('p.png'), 'succeeded');
    expectOutcome(await h.arrive('p.png'), 'duplicate');
    await new Promise((r) => setTimeout(r, 5));
    await h.drop('p.json', { prompt: 'cooler' });
    const two = expectOutcome(await h.arrive('p.json'), 'succeeded');
    expect(two.jobId).not.toBe(one.jobId);
  });

  it('uses a reference image for fusion and records it in lineage', async () => {
    await h.drop('shop/cup.png', await sharp(fixture('logo.png')).png().toBuffer());
    await h.dropFile('shop/_scenes/wall.png', fixture('brick.png'));
    await h.drop('shop/cup.json', {
      prompt: 'place the subject of image 1 into the scene of image 2',
      references: ['_scenes/wall.png'],
    });
    const job = expectOutcome(await h.arrive('shop/cup.json'), 'succeeded');
    const [stage] = await h.lineage.listStages(job.jobId);
    const wall = await h.result('../drop/shop/_scenes/wall.png');
    expect(stage?.referenceAssetIds).toEqual([hashBytes(wall)]);
  });
});
