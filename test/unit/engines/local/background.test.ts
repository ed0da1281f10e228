import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors.js';
import { edit, fixture, measure, pixels } from './helpers.js';

/** product-on-backdrop.png: the logo disc (radius ≈ 108 px) centred at (200, 150) on teal-grey. */
const DISC = { x: 199.5, y: 149.5, r: 108 };
const inDisc = (margin: number) => (x: number, y: number) =>
  Math.hypot(x - DISC.x, y - DISC.y) < DISC.r - margin;
const outsideDisc = (margin: number) => (x: number, y: number) =>
  Math.hypot(x - DISC.x, y - DISC.y) > DISC.r + margin;

describe('createLocalEngine background operations', () => {
  it('remove the background: alpha matches the subject on a plain coloured backdrop', async () => {
    const result = await edit('Remove the background', ['product-on-backdrop']);
    const p = await pixels(result.image);
    let agree = 0;
    let total = 0;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        const d = Math.hypot(x - DISC.x, y - DISC.y);
        if (Math.abs(d - DISC.r) < 3) continue;
        total++;
        if (p.at(x, y)[3] > 127 === d < DISC.r) agree++;
      }
    }
    expect(agree / total).toBeGreaterThan(0.995);
    expect(p.at(5, 5)[3]).toBe(0);
    expect(p.at(200, 150)[3]).toBe(255);
    expect(result.details?.subject).toMatchObject({ source: 'uniform-background' });
  });

  it('remove the background: has soft, anti-aliased edges', async () => {
    const p = await pixels((await edit('make the background transparent', ['product-on-backdrop'])).image);
    let partial = 0;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        const a = p.at(x, y)[3];
        if (a > 10 && a < 245) partial++;
      }
    }
    // A hard cut would leave no partial alpha; a disc's circumference is ~680 px.
    expect(partial).toBeGreaterThan(300);
    expect(partial).toBeLessThan(4000);
  });

  it('remove the background: cuts a real product out of studio white', async () => {
    const p = await pixels((await edit('cut out the product', ['product-on-white'])).image);
    // The saucer's centre and the cup are subject; the white corners are not.
    expect(p.at(230, 200)[3]).toBe(255);
    expect(p.at(232, 110)[3]).toBe(255);
    for (const [x, y] of [
      [3, 3],
      [476, 3],
      [3, 316],
      [476, 316],
    ] as const) {
      expect(p.at(x, y)[3]).toBe(0);
    }
    const covered = measure(p, (x, y) => p.at(x, y)[3] > 127).count / (p.width * p.height);
    expect(covered).toBeGreaterThan(0.35);
    expect(covered).toBeLessThan(0.5);
  });

  it('remove the background: uses an existing alpha channel as the subject', async () => {
    const original = await pixels(await fixture('logo-alpha'));
    const result = await edit('remove the background', ['logo-alpha']);
    const p = await pixels(result.image);
    let maxDiff = 0;
    for (let i = 3; i < p.data.length; i += 4)
      maxDiff = Math.max(maxDiff, Math.abs((p.data[i] as number) - (original.data[i] as number)));
    expect(maxDiff).toBe(0);
    expect(result.details?.subject).toMatchObject({ source: 'alpha' });
  });

  it('blur the background: background variance falls while the subject keeps its detail', async () => {
    const original = await pixels(await fixture('product-on-backdrop'));
    const p = await pixels(
      (await edit('Blur the background with a soft bokeh', ['product-on-backdrop'])).image,
    );
    const back = outsideDisc(6);
    const subject = inDisc(6);
    expect(measure(p, back).detail).toBeLessThan(measure(original, back).detail * 0.3);
    expect(measure(p, subject).detail).toBeGreaterThan(measure(original, subject).detail * 0.95);
    expect(measure(p, subject).luminance).toBeCloseTo(measure(original, subject).luminance, 0);
  });

  it('replace the background with image 2: the scene shows around an unchanged subject', async () => {
    const original = await pixels(await fixture('product-on-backdrop'));
    const p = await pixels(
      (await edit('replace the background with image 2', ['product-on-backdrop', 'coffee'])).image,
    );
    expect([p.width, p.height]).toEqual([original.width, original.height]);
    const subject = inDisc(4);
    let diff = 0;
    let n = 0;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        if (!subject(x, y)) continue;
        for (let c = 0; c < 3; c++)
          diff += Math.abs(p.at(x, y)[c] as number) - (original.at(x, y)[c] as number);
        n += 3;
      }
    }
    expect(Math.abs(diff / n)).toBeLessThan(2);
    // The teal-grey backdrop (low red-minus-blue) became the warm wooden table.
    const back = outsideDisc(6);
    expect(measure(original, back).redMinusBlue).toBeLessThan(-20);
    expect(measure(p, back).redMinusBlue).toBeGreaterThan(40);
  });

  it.each([
    ['coffee', 'a cup on a wooden table'],
    ['chelsea', 'a cat in a room'],
    ['brick', 'a brick wall, grey like a backdrop but textured'],
  ] as const)('refuses to cut out %s (%s) with EDIT_NOT_POSSIBLE naming gemini', async (name, _what) => {
    const error = await edit('remove the background', [name]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'EDIT_NOT_POSSIBLE' });
    expect((error as Error).message).toMatch(/gemini/);
  });
});
