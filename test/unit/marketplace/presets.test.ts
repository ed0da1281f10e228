import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../shared/engines/engine.js';
import { encodeOutputs } from '../../../shared/imaging/index.js';
import type { Provenance } from '../../../shared/imaging/provenance.js';
import type { MarketplacePreset } from '../../../shared/marketplace/check-schema.js';
import { type CheckResult, framePreset, runChecks } from '../../../shared/marketplace/index.js';
import { OutputOptionsSchema } from '../../../shared/request/output-schema.js';
import { productShot, sceneShot } from './products.js';

const PROVENANCE: Provenance = {
  jobId: 'job-1',
  engine: 'local',
  model: 'local',
  promptHash: 'x',
  digitalSourceType: 'composite',
  sourceAssetIds: [],
};

/** Frames, encodes and checks an image the way finalize does. */
async function check(image: EngineImage, output: Record<string, unknown>): Promise<CheckResult[]> {
  const options = OutputOptionsSchema.parse(output);
  const framed = await framePreset(image, options);
  const encoded = await encodeOutputs(framed.image, framed.output, PROVENANCE);
  return runChecks({
    files: encoded.filter((o) => o.role === 'final'),
    checks: framed.checks,
    background: framed.output.background,
    enlarge: options.enlarge,
  });
}

const failed = (results: CheckResult[]) =>
  results.filter((r) => r.verdict === 'fail').map((r) => `${r.check}:${r.severity}`);

interface TestData {
  preset: MarketplacePreset;
  /** A source that meets every rule of the preset. */
  passing: () => Promise<EngineImage>;
  /** A source that does not, and the checks that say so. */
  failing: () => Promise<EngineImage>;
  fails: string[];
}

const CASES: TestData[] = [
  {
    preset: 'amazon-main',
    passing: () => productShot({ size: 2400, share: 0.75 }),
    // A product on a light grey sweep: reframed, but the sweep around it is not pure white.
    failing: () => productShot({ size: 2400, share: 0.75, backdrop: '#f2f2f2' }),
    fails: ['background-purity:error'],
  },
  {
    preset: 'shopify-square',
    passing: () => productShot({ size: 2048 }),
    failing: () => productShot({ size: 600 }),
    fails: ['min-side:warning'],
  },
  {
    preset: 'etsy-listing',
    passing: () => productShot({ size: 2100, width: 2800 }),
    failing: () => productShot({ size: 1200 }),
    fails: ['min-side:warning'],
  },
  {
    preset: 'google-merchant',
    passing: () => productShot({ size: 1600 }),
    failing: () => productShot({ size: 80 }),
    fails: ['min-side:error', 'min-side:warning'],
  },
];

describe('output.preset', () => {
  it.each(CASES)('$preset: a source that meets its rules passes every check', async ({ preset, passing }) => {
    const results = await check(await passing(), { preset });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.preset === preset)).toBe(true);
    expect(failed(results)).toEqual([]);
  });

  it.each(CASES)(
    '$preset: a source that does not fails the checks that say so',
    async ({ preset, failing, fails }) => {
      const results = await check(await failing(), { preset });
      expect(failed(results)).toEqual(fails);
      for (const r of results.filter((x) => x.verdict === 'fail')) {
        expect(r.limit).not.toBe('');
        expect(r.hint).toBeTruthy();
      }
    },
  );

  it('amazon-main reframes a cut-out so the product spans 85% of a white square', async () => {
    const results = await check(await productShot({ size: 2400, share: 0.4 }), { preset: 'amazon-main' });
    const fill = results.find((r) => r.check === 'product-fill');
    expect(fill?.measured).toBeGreaterThanOrEqual(0.85);
    expect(fill?.measured).toBeLessThan(0.87);
    const purity = results.find((r) => r.check === 'background-purity');
    expect(purity?.measured).toBeGreaterThanOrEqual(0.98);
  });

  it('amazon-main on a scene fails background purity: there is no white backdrop to keep', async () => {
    const results = await check(await sceneShot(2000), { preset: 'amazon-main' });
    expect(failed(results)).toContain('background-purity:error');
  });

  it('a source too small for the preset is not enlarged unless asked, and the check says so', async () => {
    const small = await productShot({ size: 700, share: 0.8 });
    const plain = await check(small, { preset: 'amazon-main' });
    const side = plain.find((r) => r.check === 'min-side' && r.severity === 'error');
    expect(side).toMatchObject({ verdict: 'fail' });
    expect(side?.measured).toBeLessThan(1000);
    expect(side?.hint).toMatch(/"output.enlarge": true/);
    const enlarged = await check(small, { preset: 'amazon-main', enlarge: true });
    expect(failed(enlarged)).toEqual([]);
    expect(enlarged.find((r) => r.check === 'min-side')?.measured).toBe(2000);
  });
});
