import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectReport } from '../../../shared/report/collect.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('the report shows a job’s inputs by the names the job used', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('a reference with the same bytes as another job’s image is named as this job’s sidecar wrote it', async () => {
    const scene = await sharp(await readFile(fixture('brick.png')))
      .resize(160)
      .png()
      .toBuffer();
    // The same bytes under two names: content addressing keeps one asset, first seen as rocket.png.
    await h.drop('portraits/rocket.png', scene);
    await h.drop('portraits/rocket.json', { prompt: 'warmer' });
    expectOutcome(await h.arrive('portraits/rocket.json'), 'succeeded');
    await h.drop('_scenes/launchpad.png', scene);
    await h.dropFile('cup.png', fixture('coffee.png'));
    await h.drop('cup.json', {
      // The local engine records an unused reference (with a warning): enough to be an input.
      prompt: 'warmer',
      references: ['_scenes/launchpad.png'],
    });
    expectOutcome(await h.arrive('cup.json'), 'succeeded');
    const report = await collectReport({ lineage: h.lineage, resultsDir: h.resultsDir });
    const job = report.jobs.find((j) => j.job.inputs.request?.name === 'cup.json');
    expect(job?.inputs.filter((i) => i.role === 'reference').map((i) => i.name)).toEqual([
      'drop/_scenes/launchpad.png',
    ]);
  });
});
