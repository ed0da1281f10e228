import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/**
 * Output bombs: a valid request whose outputs would be too large is refused before any stage
 * runs, as REQUEST_INVALID (permanent), with only error.json written.
 */
describe('output limits', () => {
  let h: PipelineHarness;
  afterEach(async () => {
    await h.close();
  });

  async function dropJob(side: number, output: object): Promise<void> {
    await h.drop('p/cat.png', await sharp(fixture('chelsea.png')).resize(side, side).png().toBuffer());
    await h.drop('p/cat.json', { version: 1, stages: [{ name: 'warm', prompt: 'make it warmer' }], output });
  }

  it('refuses a padded output over MAX_OUTPUT_PIXELS before the first stage', async () => {
    h = await createPipelineHarness({ env: { MAX_OUTPUT_PIXELS: '500000', MIN_INPUT_SIDE: '64' } });
    await dropJob(256, { formats: ['png'], aspectRatio: '16:1', fit: 'pad' });
    const failed = expectOutcome(await h.arrive('p/cat.json'), 'failed');
    expect(failed.error.code).toBe('REQUEST_INVALID');
    expect(failed.error.message).toBe(
      'output: would be 4096×256 from a 256×256 image (1048576 pixels), over MAX_OUTPUT_PIXELS (500000); set a maxSize or a narrower aspectRatio',
    );
    expect(await h.lineage.listStages(failed.jobId)).toEqual([]);
    const report = await h.resultJson(`${failed.prefix}error.json`);
    expect(report).toMatchObject({ code: 'REQUEST_INVALID', attempt: 1 });
  });

  it("refuses an output wider than its format holds (WebP's 16,383 px), and names the size", async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
    await dropJob(1100, {
      formats: ['png'],
      sizes: { banner: { aspectRatio: '16:1', fit: 'pad', formats: ['webp'] } },
    });
    const failed = expectOutcome(await h.arrive('p/cat.json'), 'failed');
    expect(failed.error.message).toBe(
      'output.sizes.banner: would be 17600×1100 from a 1100×1100 image, but webp holds at most 16383 px a side; set a maxSize',
    );
    expect(await h.lineage.listStages(failed.jobId)).toEqual([]);
  });

  it('accepts the same shape once a maxSize brings it within the limits', async () => {
    h = await createPipelineHarness({ env: { MAX_OUTPUT_PIXELS: '500000', MIN_INPUT_SIDE: '64' } });
    await dropJob(256, {
      formats: ['png'],
      aspectRatio: '16:1',
      fit: 'pad',
      maxSize: 2048,
      compareSheet: false,
    });
    const done = expectOutcome(await h.arrive('p/cat.json'), 'succeeded');
    expect(done.outputs.find((o) => o.role === 'final')).toMatchObject({ width: 2048, height: 128 });
  });

  it('checks again before encoding, when the engine returned a larger image than the source', async () => {
    const local = createLocalEngine();
    const larger: Engine = {
      name: local.name,
      generative: local.generative,
      plan: (stage) => local.plan(stage),
      edit: async () => {
        const data = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#888888' } })
          .png()
          .toBuffer();
        return {
          image: { data, mimeType: 'image/png', width: 256, height: 256 },
          model: 'larger-1',
          warnings: [],
        };
      },
    };
    h = await createPipelineHarness({
      engines: [larger],
      env: { MAX_OUTPUT_PIXELS: '500000', MIN_INPUT_SIDE: '64' },
    });
    await dropJob(128, { formats: ['png'], aspectRatio: '16:1', fit: 'pad', compareSheet: false });
    const failed = expectOutcome(await h.arrive('p/cat.json'), 'failed');
    expect(failed.error.code).toBe('REQUEST_INVALID');
    expect(failed.error.message).toMatch(/^output: would be 4096×256 from a 256×256 image/);
  });
});
