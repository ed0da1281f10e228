import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../shared/marketplace/index.js';
import { FIXTURES_DIR, fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('marketplace presets through the pipeline (local engine, fs store, Firestore)', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('amazon-main: a cut-out product becomes a white square JPEG; the checks are in the manifest and the job', async () => {
    await h.dropFile('shop/cup.png', join(FIXTURES_DIR, 'local/product-on-white.png'));
    await h.drop('shop/cup.json', {
      stages: [{ name: 'cutout', prompt: 'Remove the background' }],
      output: { preset: 'amazon-main', enlarge: true },
    });
    const done = expectOutcome(await h.arrive('shop/cup.png'), 'succeeded');
    const manifest = await h.resultJson<{
      checks: CheckResult[];
      preset: Record<string, unknown>;
      warnings: string[];
    }>(`${done.prefix}manifest.json`);
    expect(manifest.checks.map((c) => `${c.check}:${c.verdict}`)).toEqual([
      'background-purity:pass',
      'product-fill:pass',
      'min-side:pass',
      'min-side:pass',
      'max-side:pass',
      'colour-space:pass',
      'no-transparency:pass',
    ]);
    expect(manifest.preset).toMatchObject({ name: 'amazon-main', productFill: 0.85 });
    const meta = await sharp(await h.result(`${done.prefix}final.jpg`)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 2000, 2000]);
    const job = await h.lineage.getJob(done.jobId);
    expect(job?.checks).toEqual(manifest.checks);
  });

  it('amazon-main on a scene (padded with white bars) fails with CHECK_FAILED naming the check, measurement and limit', async () => {
    await h.dropFile('shop/cafe.png', fixture('coffee.png'));
    await h.drop('shop/cafe.json', { prompt: 'make it warmer', output: { preset: 'amazon-main' } });
    const failed = expectOutcome(await h.arrive('shop/cafe.png'), 'failed');
    expect(failed.error.code).toBe('CHECK_FAILED');
    expect(failed.error.message).toMatch(
      /check product-fill \(amazon-main\) failed on final\.jpg: measured 1, limit ≥ 0\.85 and ≤ 0\.95/,
    );
    const report = await h.resultJson<{ code: string; details: { checks: CheckResult[] } }>(
      `${failed.prefix}error.json`,
    );
    expect(report.code).toBe('CHECK_FAILED');
    expect(report.details.checks.find((c) => c.check === 'product-fill')?.verdict).toBe('fail');
  });

  it('a warning-severity check that fails is a warning on a job that succeeds', async () => {
    await h.dropFile('shop/cat.png', fixture('chelsea.png'));
    await h.drop('shop/cat.json', {
      prompt: 'make it warmer',
      output: { checks: [{ check: 'min-side', px: 4000, severity: 'warning' }] },
    });
    const done = expectOutcome(await h.arrive('shop/cat.png'), 'succeeded');
    const manifest = await h.resultJson<{ warnings: string[] }>(`${done.prefix}manifest.json`);
    expect(manifest.warnings).toContainEqual(
      expect.stringMatching(
        /^check min-side failed on final\.webp: measured \d+, limit longest side ≥ 4000 px/,
      ),
    );
  });
});
