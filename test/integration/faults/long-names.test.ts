import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorReportName } from '../../../shared/pipeline/layout.js';
import { fixture } from '../../fixtures/index.js';
import {
  createGcsPipelineHarness,
  type GcsPipelineHarness,
  RESULTS,
} from '../../support/gcs-pipeline-harness.js';
import { expectOutcome } from '../../support/pipeline-harness.js';

/** An input name of exactly `bytes` bytes of UTF-8 (legal: Cloud Storage allows 1,024). */
function longName(bytes: number, ext: string): string {
  const stem = `shop/${'é'.repeat(100)}`;
  return `${stem}${'x'.repeat(bytes - Buffer.byteLength(stem) - ext.length)}${ext}`;
}

describe('input names too long for the outputs', () => {
  let h: GcsPipelineHarness;
  beforeEach(async () => {
    h = await createGcsPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses the job before any stage with OUTPUT_NAME_TOO_LONG, and writes error.json at a shortened name', async () => {
    const image = longName(1000, '.jpg');
    const request = `${image.slice(0, -4)}.json`;
    expect(Buffer.byteLength(request)).toBe(1001);
    h.upload(image, await sharp(fixture('chelsea.png')).resize({ width: 128 }).jpeg().toBuffer());
    h.upload(request, JSON.stringify({ prompt: 'make it warmer', output: { formats: ['jpeg'] } }));
    const failed = expectOutcome(await h.arrive(request), 'failed');
    expect(failed.error.code).toBe('OUTPUT_NAME_TOO_LONG');
    expect(failed.error.message).toMatch(
      /^the output stages\/01-stage-1\.webp would have a \d+-byte name, over Cloud Storage's 1024-byte limit: shorten the input's name .* by at least \d+ bytes$/,
    );
    expect(await h.lineage.listStages(failed.jobId)).toEqual([]);
    const reportName = errorReportName(failed.prefix);
    expect(Buffer.byteLength(reportName)).toBeLessThanOrEqual(1024);
    expect(reportName).toMatch(new RegExp(`^shop/é+x+~[0-9a-f]{16}/${failed.jobId}/error\\.json$`));
    const stored = h.gcs.listObjects(RESULTS);
    expect(stored.map((o) => o.name)).toEqual([reportName]);
    expect(JSON.parse(String(stored[0]?.data))).toMatchObject({
      code: 'OUTPUT_NAME_TOO_LONG',
      jobId: failed.jobId,
    });
    expect((await h.job(failed.jobId))?.status).toBe('failed');
  });

  it('runs a job whose longest output name just fits', async () => {
    // prefix = stem + "/" + 24-character job id + "/"; the longest file is stages/01-stage-1.webp (22).
    const image = longName(1024 - 22 - 26 + 4, '.jpg');
    h.upload(image, await sharp(fixture('chelsea.png')).resize({ width: 128 }).jpeg().toBuffer());
    h.upload(
      `${image.slice(0, -4)}.json`,
      JSON.stringify({ prompt: 'make it warmer', output: { formats: ['jpeg'] } }),
    );
    const done = expectOutcome(await h.arrive(`${image.slice(0, -4)}.json`), 'succeeded');
    const longest = Math.max(...h.gcs.listObjects(RESULTS).map((o) => Buffer.byteLength(o.name)));
    // The local engine writes stages/01-stage-1.png; the check reserved room for .webp.
    expect(longest).toBe(1023);
    expect(done.outputs.map((o) => o.role)).toContain('manifest');
  });
});
