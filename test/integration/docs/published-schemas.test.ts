import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionEvent } from '../../../shared/notify/completion-event.js';
import { ManifestSchema } from '../../../shared/pipeline/manifest-schema.js';
import { FIXTURES_DIR, fixture } from '../../fixtures/index.js';
import { committedSchema } from '../../support/json-schema-validator.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('what real local jobs write matches the published schemas', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('manifest.json of a two-stage job with variants and sizes: ManifestSchema and manifest.schema.json', async () => {
    const check = await committedSchema('manifest.schema.json');
    await h.dropFile('chelsea.png', fixture('chelsea.png'));
    await h.drop('chelsea.json', {
      $schema: 'https://darkroom.dev/schemas/v1/sidecar.schema.json',
      labels: { sku: 'CAT-1' },
      stages: [
        { name: 'warm', prompt: 'make it warmer' },
        { name: 'grain', prompt: 'add film grain', variants: 2, seed: 5 },
      ],
      output: { formats: ['webp', 'jpeg'], sizes: { thumb: { maxSize: 128 } } },
    });
    const done = expectOutcome(await h.arrive('chelsea.json'), 'succeeded');
    const manifest = await h.resultJson(`${done.prefix}manifest.json`);

    expect(check(manifest)).toEqual([]);
    const parsed = ManifestSchema.parse(manifest);
    // Nothing the manifest carries is outside the schema (z.object would strip it silently).
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(manifest);
    expect(parsed.request).not.toHaveProperty('$schema');
    expect(parsed.stages.map((s) => s.name)).toEqual(['warm', 'grain']);

    const job = await h.lineage.getJob(done.jobId);
    if (!job) throw new Error(`job ${done.jobId} was not recorded`);
    const summary = JSON.parse(JSON.stringify(completionEvent(job).summary));
    expect((await committedSchema('completion-event.schema.json'))(summary)).toEqual([]);
  });

  it('manifest.json of a marketplace preset job, with checks and the preset facts', async () => {
    const check = await committedSchema('manifest.schema.json');
    await h.dropFile('shop/cup.png', join(FIXTURES_DIR, 'local/product-on-white.png'));
    await h.drop('shop/cup.json', {
      stages: [{ name: 'cutout', prompt: 'Remove the background' }],
      output: { preset: 'amazon-main', enlarge: true },
    });
    const done = expectOutcome(await h.arrive('shop/cup.png'), 'succeeded');
    const manifest = await h.resultJson(`${done.prefix}manifest.json`);
    expect(check(manifest)).toEqual([]);
    const parsed = ManifestSchema.parse(manifest);
    expect(parsed.checks?.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(manifest);
  });

  it('the manifest schema refuses a manifest with a field it does not declare or a wrong type', async () => {
    const check = await committedSchema('manifest.schema.json');
    await h.dropFile('cup.png', fixture('coffee.png'));
    await h.drop('cup.json', { prompt: 'Make it warmer' });
    const done = expectOutcome(await h.arrive('cup.json'), 'succeeded');
    const manifest = await h.resultJson<Record<string, unknown>>(`${done.prefix}manifest.json`);
    expect(check({ ...manifest, surprise: true })).not.toEqual([]);
    expect(check({ ...manifest, costUsd: 'free' })).not.toEqual([]);
    expect(ManifestSchema.safeParse({ ...manifest, costUsd: 'free' }).success).toBe(false);
  });
});
