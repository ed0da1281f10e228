import { beforeAll, describe, expect, it } from 'vitest';
import { edit, fixture, measure, type Pixels, pixels } from './helpers.js';

let original: Pixels;
let base: ReturnType<typeof measure>;

beforeAll(async () => {
  original = await pixels(await fixture('chelsea'));
  base = measure(original);
});

async function graded(prompt: string, params = {}) {
  const result = await edit(prompt, ['chelsea'], params);
  return { result, p: await pixels(result.image), m: measure(await pixels(result.image)) };
}

describe('createLocalEngine tone and colour operations (chelsea.png)', () => {
  it('warmer raises the mean red-minus-blue, cooler lowers it', async () => {
    const warm = await graded('Please make the photo warmer');
    const cool = await graded('Make it cooler');
    expect(warm.m.redMinusBlue).toBeGreaterThan(base.redMinusBlue + 8);
    expect(cool.m.redMinusBlue).toBeLessThan(base.redMinusBlue - 8);
  });

  it('golden hour warms strongly without darkening', async () => {
    const { m } = await graded('golden hour light');
    expect(m.redMinusBlue).toBeGreaterThan(base.redMinusBlue + 15);
    expect(m.luminance).toBeGreaterThanOrEqual(base.luminance);
  });

  it('brighter raises mean luminance, darker lowers it', async () => {
    expect((await graded('make it brighter')).m.luminance).toBeGreaterThan(base.luminance + 10);
    expect((await graded('darker')).m.luminance).toBeLessThan(base.luminance - 10);
  });

  it('more contrast widens the luminance spread, less contrast narrows it', async () => {
    expect((await graded('more contrast')).m.stdev).toBeGreaterThan(base.stdev * 1.1);
    expect((await graded('less contrast')).m.stdev).toBeLessThan(base.stdev * 0.9);
  });

  it('more vibrant raises the mean chroma, less saturated lowers it', async () => {
    expect((await graded('more vibrant colours')).m.chroma).toBeGreaterThan(base.chroma * 1.15);
    expect((await graded('less saturated')).m.chroma).toBeLessThan(base.chroma * 0.85);
  });

  it('black and white makes the three channels equal', async () => {
    const { p, m } = await graded('black and white');
    let maxSpread = 0;
    for (let i = 0; i < p.data.length; i += 4) {
      const r = p.data[i] as number;
      const g = p.data[i + 1] as number;
      const b = p.data[i + 2] as number;
      maxSpread = Math.max(maxSpread, Math.max(r, g, b) - Math.min(r, g, b));
    }
    expect(maxSpread).toBe(0);
    expect(m.stdev).toBeGreaterThan(base.stdev * 0.7);
  });

  it('sepia tones a monochrome image brown: red over green over blue, little chroma variety', async () => {
    const { p, m } = await graded('sepia tone');
    let ordered = 0;
    for (let i = 0; i < p.data.length; i += 4) {
      if (
        (p.data[i] as number) >= (p.data[i + 1] as number) &&
        (p.data[i + 1] as number) >= (p.data[i + 2] as number)
      ) {
        ordered++;
      }
    }
    expect(ordered / (p.width * p.height)).toBeGreaterThan(0.99);
    expect(m.redMinusBlue).toBeGreaterThan(15);
  });

  it('matte lifts the blacks and lowers the whites', async () => {
    const { m } = await graded('matte faded look');
    expect(m.p1).toBeGreaterThan(base.p1 + 10);
    expect(m.p99).toBeLessThan(base.p99);
  });

  it('Kodak Portra 400 warms the neutrals, softens contrast and lifts the shadows', async () => {
    const { p, m } = await graded('Kodak Portra 400');
    const neutral = (x: number, y: number) => {
      const [r, g, b] = original.at(x, y);
      return Math.max(r, g, b) - Math.min(r, g, b) < 25;
    };
    expect(measure(p, neutral).redMinusBlue).toBeGreaterThan(measure(original, neutral).redMinusBlue + 4);
    expect(m.stdev).toBeLessThan(base.stdev);
    expect(m.p1).toBeGreaterThan(base.p1 + 5);
  });

  it('Fuji Velvia is much more saturated and contrasty', async () => {
    const { m } = await graded('Fuji Velvia');
    expect(m.chroma).toBeGreaterThan(base.chroma * 1.25);
    expect(m.stdev).toBeGreaterThan(base.stdev * 1.05);
  });

  it('teal and orange pushes shadows toward blue-green and highlights toward orange', async () => {
    const { p } = await graded('teal and orange');
    const dark = (x: number, y: number) => {
      const [r, g, b] = original.at(x, y);
      return r + g + b < 3 * 80;
    };
    const bright = (x: number, y: number) => {
      const [r, g, b] = original.at(x, y);
      return r + g + b > 3 * 170;
    };
    expect(measure(p, dark).redMinusBlue).toBeLessThan(measure(original, dark).redMinusBlue - 5);
    expect(measure(p, bright).redMinusBlue).toBeGreaterThan(measure(original, bright).redMinusBlue + 5);
  });

  it('film grain adds texture but keeps the mean; the seed fixes the grain', async () => {
    const a = await graded('add film grain', { seed: 7 });
    const again = await graded('add film grain', { seed: 7 });
    const other = await graded('add film grain', { seed: 8 });
    expect(a.m.detail).toBeGreaterThan(base.detail * 1.3);
    expect(Math.abs(a.m.luminance - base.luminance)).toBeLessThan(2);
    expect(again.result.image.data.equals(a.result.image.data)).toBe(true);
    expect(other.result.image.data.equals(a.result.image.data)).toBe(false);
  });

  it('vignette darkens the corners and leaves the centre', async () => {
    const { p } = await graded('add a vignette');
    const w = p.width;
    const h = p.height;
    const corner = (x: number, y: number) => (x < w * 0.08 || x > w * 0.92) && (y < h * 0.1 || y > h * 0.9);
    const centre = (x: number, y: number) => Math.abs(x - w / 2) < w * 0.1 && Math.abs(y - h / 2) < h * 0.1;
    expect(measure(p, corner).luminance).toBeLessThan(measure(original, corner).luminance * 0.8);
    expect(measure(p, centre).luminance).toBeGreaterThan(measure(original, centre).luminance * 0.97);
  });

  it('sharpen raises fine detail, soften lowers it', async () => {
    expect((await graded('sharpen')).m.detail).toBeGreaterThan(base.detail * 1.2);
    expect((await graded('soften')).m.detail).toBeLessThan(base.detail * 0.8);
  });

  it('guidanceScale scales the strength: 15 warms more than 7.5, 3 less', async () => {
    const shift = async (guidanceScale: number) =>
      (await graded('warmer', { guidanceScale })).m.redMinusBlue - base.redMinusBlue;
    const normal = await shift(7.5);
    expect(await shift(15)).toBeGreaterThan(normal * 1.5);
    expect(await shift(3)).toBeLessThan(normal * 0.6);
  });

  it('"a bit" halves the effect and "much" strengthens it', async () => {
    const bit = (await graded('a bit brighter')).m.luminance - base.luminance;
    const plain = (await graded('brighter')).m.luminance - base.luminance;
    const much = (await graded('much brighter')).m.luminance - base.luminance;
    expect(bit).toBeLessThan(plain * 0.75);
    expect(much).toBeGreaterThan(plain * 1.2);
  });

  it('returns a PNG at the input resolution with the operations in its details', async () => {
    const { result } = await graded('warmer, with more contrast');
    expect(result.image.mimeType).toBe('image/png');
    expect(result.image.data.subarray(1, 4).toString()).toBe('PNG');
    expect([result.image.width, result.image.height]).toEqual([451, 300]);
    expect(result.model).toBe('darkroom-local-2');
    expect(result.details?.operations).toEqual([
      { op: 'more-contrast', phrase: 'more contrast', intensity: 1, strength: 1 },
      { op: 'warmer', phrase: 'warmer', intensity: 1, strength: 1 },
    ]);
  });
});
