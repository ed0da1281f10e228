import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../shared/errors.js';
import { type CheckSpec, CheckSpecSchema } from '../../../shared/marketplace/check-schema.js';
import { enforceChecks, runChecks } from '../../../shared/marketplace/index.js';

/** A `width`×`height` image on `background` with a dark box covering `share` of each side. */
async function image(options: {
  width: number;
  height: number;
  background?: string;
  share?: number;
  format?: 'jpeg' | 'png';
  transparent?: boolean;
  cmyk?: boolean;
}): Promise<Buffer> {
  const { width, height } = options;
  const share = options.share ?? 0.5;
  const back = options.transparent
    ? ''
    : `<rect width="${width}" height="${height}" fill="${options.background ?? '#ffffff'}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${back}
<rect x="${(width * (1 - share)) / 2}" y="${(height * (1 - share)) / 2}" width="${width * share}" height="${height * share}" fill="#202830"/></svg>`;
  let pipeline = sharp(Buffer.from(svg));
  if (options.cmyk) pipeline = pipeline.toColourspace('cmyk');
  if (options.format === 'png') return pipeline.png().toBuffer();
  return pipeline
    .flatten({ background: '#ffffff' })
    .withIccProfile(options.cmyk ? 'cmyk' : 'srgb')
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function verdict(spec: Record<string, unknown>, data: Buffer, format = 'jpeg') {
  const [result] = await runChecks({
    files: [{ role: 'final', format, data }],
    checks: [{ spec: CheckSpecSchema.parse(spec) as CheckSpec }],
    background: '#ffffff',
    enlarge: false,
  });
  return result;
}

interface TestData {
  name: string;
  spec: Record<string, unknown>;
  pass: () => Promise<Buffer>;
  fail: () => Promise<Buffer>;
  format?: string;
}

const CASES: TestData[] = [
  {
    name: 'background purity',
    spec: { check: 'background-purity' },
    pass: () => image({ width: 600, height: 600 }),
    fail: () => image({ width: 600, height: 600, background: '#fafafa' }),
  },
  {
    name: 'product fill (minimum)',
    spec: { check: 'product-fill', min: 0.8 },
    pass: () => image({ width: 600, height: 600, share: 0.85 }),
    fail: () => image({ width: 600, height: 600, share: 0.5 }),
  },
  {
    name: 'product fill (maximum)',
    spec: { check: 'product-fill', max: 0.9 },
    pass: () => image({ width: 600, height: 600, share: 0.85 }),
    fail: () => image({ width: 600, height: 600, share: 0.98 }),
  },
  {
    name: 'minimum longest side',
    spec: { check: 'min-side', px: 1000 },
    pass: () => image({ width: 1200, height: 800 }),
    fail: () => image({ width: 900, height: 800 }),
  },
  {
    name: 'minimum shortest side',
    spec: { check: 'min-side', px: 500, side: 'shortest' },
    pass: () => image({ width: 600, height: 500 }),
    fail: () => image({ width: 1200, height: 400 }),
  },
  {
    name: 'maximum longest side',
    spec: { check: 'max-side', px: 1000 },
    pass: () => image({ width: 1000, height: 800 }),
    fail: () => image({ width: 1001, height: 800 }),
  },
  {
    name: 'maximum megapixels',
    spec: { check: 'max-megapixels', megapixels: 1 },
    pass: () => image({ width: 1000, height: 1000 }),
    fail: () => image({ width: 1100, height: 1000 }),
  },
  {
    name: 'colour space',
    spec: { check: 'colour-space' },
    pass: () => image({ width: 300, height: 300 }),
    fail: () => image({ width: 300, height: 300, cmyk: true }),
  },
  {
    name: 'transparency',
    spec: { check: 'no-transparency' },
    format: 'png',
    pass: () => image({ width: 300, height: 300, format: 'png' }),
    fail: () => image({ width: 300, height: 300, format: 'png', transparent: true }),
  },
  {
    name: 'file size',
    spec: { check: 'max-file-size', bytes: 20_000 },
    pass: () => image({ width: 300, height: 300 }),
    fail: async () =>
      sharp({
        create: {
          width: 800,
          height: 800,
          channels: 3,
          background: '#808080',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .jpeg({ quality: 95 })
        .toBuffer(),
  },
];

describe('runChecks', () => {
  it.each(CASES)('$name: passes a file within the limit and fails one outside it', async (c) => {
    const ok = await verdict(c.spec, await c.pass(), c.format);
    const bad = await verdict(c.spec, await c.fail(), c.format);
    expect(ok?.verdict).toBe('pass');
    expect(bad?.verdict).toBe('fail');
    expect(bad?.measured).not.toEqual(ok?.measured);
  });

  it('records the measurement: background purity counts only background pixels', async () => {
    const result = await verdict(
      { check: 'background-purity' },
      await image({ width: 400, height: 400, share: 0.6 }),
    );
    expect(result?.measured).toBeGreaterThan(0.99);
    expect(result?.limit).toMatch(/background pixels exactly #ffffff/);
  });
});

describe('enforceChecks', () => {
  it('fails with CHECK_FAILED naming the check, the measured value and the limit', async () => {
    const bad = await verdict({ check: 'min-side', px: 1000 }, await image({ width: 900, height: 800 }));
    const error = (() => {
      try {
        enforceChecks(bad ? [bad] : []);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'CHECK_FAILED' });
    expect((error as Error).message).toMatch(
      /check min-side failed on final\.jpg: measured 900, limit longest side ≥ 1000 px/,
    );
    expect((error as PermanentError).details?.checks).toEqual([bad]);
  });

  it('returns a failed warning-severity check as a warning line instead', async () => {
    const bad = await verdict(
      { check: 'min-side', px: 1000, severity: 'warning' },
      await image({ width: 900, height: 800 }),
    );
    expect(enforceChecks(bad ? [bad] : [])).toEqual([
      expect.stringMatching(/^check min-side failed on final\.jpg: measured 900/),
    ]);
  });
});
