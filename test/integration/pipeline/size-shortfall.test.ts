import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('a maxSize the image cannot meet', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  async function runJob(name: string, output: Record<string, unknown>) {
    await h.drop(`${name}.png`, await sharp(fixture('coffee.png')).resize(300).png().toBuffer());
    await h.drop(`${name}.json`, { prompt: 'warmer', output: { formats: ['jpeg'], ...output } });
    const done = expectOutcome(await h.arrive(`${name}.json`), 'succeeded');
    const manifest = await h.resultJson<{ warnings: string[] }>(`${done.prefix}manifest.json`);
    const meta = await sharp(await h.result(`${done.prefix}final.jpg`)).metadata();
    return { manifest, size: `${meta.width}×${meta.height}`, job: await h.lineage.getJob(done.jobId) };
  }

  it('is reported in the manifest and the job (what was asked, what was made, why)', async () => {
    const { manifest, size, job } = await runJob('small', {
      aspectRatio: '1:1',
      fit: 'pad',
      maxSize: 600,
      sizes: { big: { maxSize: 1000 } },
    });
    expect(size).toBe('300×300');
    const warning = manifest.warnings.find((w) => w.startsWith('output.maxSize 600: final is 300×300'));
    expect(warning).toMatch(/never enlarged; set "output": \{ "enlarge": true \}/);
    expect(manifest.warnings).toContainEqual(
      expect.stringMatching(/^output\.sizes\.big\.maxSize 1000: big is /),
    );
    expect(job?.warnings).toContain(warning);
  });

  it('"enlarge": true resamples up to maxSize, without a warning', async () => {
    const { manifest, size } = await runJob('enlarged', {
      aspectRatio: '1:1',
      fit: 'pad',
      maxSize: 600,
      enlarge: true,
    });
    expect(size).toBe('600×600');
    expect(manifest.warnings.filter((w) => w.includes('maxSize'))).toEqual([]);
  });
});
