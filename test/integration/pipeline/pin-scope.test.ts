import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/** `from: { job }` reads another job's result: only a job on the same image or in the sidecar's folder tree. */
describe('pins to earlier jobs', () => {
  let h: PipelineHarness;
  async function firstJobIn(folder: string): Promise<string> {
    await h.drop(`${folder}/cat.png`, await sharp(fixture('chelsea.png')).resize(96, 96).png().toBuffer());
    await h.drop(`${folder}/cat.json`, {
      prompt: 'make it warmer',
      output: { formats: ['png'], compareSheet: false },
    });
    return expectOutcome(await h.arrive(`${folder}/cat.json`), 'succeeded').jobId;
  }
  const pinning = (job: string) => ({
    stages: [{ name: 'again', from: { job, stage: 1 } }],
    output: { formats: ['png'] },
  });

  afterEach(async () => {
    await h.close();
  });

  describe('REFERENCE_SCOPE=folder (default)', () => {
    beforeEach(async () => {
      h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
    });

    it('refuses a job of another folder, given only its id', async () => {
      const theirs = await firstJobIn('tenantA');
      await h.drop('tenantB/dog.png', await sharp(fixture('coffee.png')).resize(96, 96).png().toBuffer());
      await h.drop('tenantB/dog.json', pinning(theirs));
      const failed = expectOutcome(await h.arrive('tenantB/dog.json'), 'failed');
      expect(failed.error.code).toBe('REFERENCE_INVALID');
      expect(failed.error.message).toBe(
        `stages[0].from: job ${theirs} ran on an image outside this sidecar's folder "tenantB/" (REFERENCE_SCOPE=folder)`,
      );
    });

    it('accepts a job on an image in the same folder tree', async () => {
      const ours = await firstJobIn('shop/a');
      await h.drop('shop/dog.png', await sharp(fixture('coffee.png')).resize(96, 96).png().toBuffer());
      await h.drop('shop/dog.json', pinning(ours));
      expectOutcome(await h.arrive('shop/dog.json'), 'succeeded');
    });
  });

  it('REFERENCE_SCOPE=bucket accepts any job of the bucket', async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64', REFERENCE_SCOPE: 'bucket' } });
    const theirs = await firstJobIn('tenantA');
    await h.drop('tenantB/dog.png', await sharp(fixture('coffee.png')).resize(96, 96).png().toBuffer());
    await h.drop('tenantB/dog.json', pinning(theirs));
    expectOutcome(await h.arrive('tenantB/dog.json'), 'succeeded');
  });
});
