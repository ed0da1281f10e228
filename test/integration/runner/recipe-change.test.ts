import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFolder, summarize } from '../../../shared/runner/run-folder.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

describe('what a recipe change does to images already processed (as README.md documents)', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('an unchanged recipe does nothing twice; a changed one makes a revision per image', async () => {
    await h.drop('hot/_recipe.json', { prompt: 'warmer' });
    await h.drop('hot/a.png', await sharp(fixture('coffee.png')).resize(120).png().toBuffer());
    expect(summarize(await runFolder(h.deps, { bucket: 'drop' })).succeeded).toBe(1);
    const again = summarize(await runFolder(h.deps, { bucket: 'drop' }));
    expect([again.succeeded, again.duplicate]).toEqual([0, 1]);

    await h.drop('hot/_recipe.json', { prompt: 'warmer, with film grain' });
    expect(summarize(await runFolder(h.deps, { bucket: 'drop' })).succeeded).toBe(1);
    const jobs = await h.lineage.listJobs();
    expect(jobs).toHaveLength(2);
    const revision = jobs.find((j) => j.previousJobId !== undefined);
    expect(revision?.previousJobId).toBe(jobs.find((j) => j !== revision)?.id);
  });
});
