import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineImage, EngineResult } from '../../../../shared/engines/engine.js';
import { edit, fixture, luma, measure, type Pixels, pixels } from './helpers.js';

interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
  colourGains: [number, number, number];
}

const PROMPT =
  'Place the subject of image 1 into the scene of image 2, matching the natural lighting direction';

let result: EngineResult<EngineImage>;
let out: Pixels;
let scene: Pixels;
let placement: Placement;

beforeAll(async () => {
  result = await edit(PROMPT, ['logo-alpha', 'coffee']);
  out = await pixels(result.image);
  scene = await pixels(await fixture('coffee'));
  placement = result.details?.placement as Placement;
});

describe('createLocalEngine place-subject', () => {
  it('returns the scene at its own size', () => {
    expect([out.width, out.height]).toEqual([600, 400]);
    expect(result.details?.notes).toEqual([
      expect.stringMatching(/^"matching the natural lighting direction": /),
    ]);
  });

  it('scales the subject sensibly and stands it on the lower part of the scene, centred', () => {
    expect(placement.height).toBeGreaterThan(400 * 0.4);
    expect(placement.height).toBeLessThan(400 * 0.5);
    expect(placement.top + placement.height).toBeGreaterThan(400 * 0.85);
    expect(placement.top + placement.height).toBeLessThanOrEqual(400);
    expect(Math.abs(placement.left + placement.width / 2 - 300)).toBeLessThan(3);
  });

  it("shows the subject's own pixels at the placement", async () => {
    const logo = await pixels(
      await sharp((await fixture('logo-alpha')).data)
        .resize(placement.width, placement.height, { fit: 'fill' })
        .png()
        .toBuffer(),
    );
    const a: number[] = [];
    const b: number[] = [];
    for (let y = 0; y < logo.height; y += 2) {
      for (let x = 0; x < logo.width; x += 2) {
        const [r, g, bl, alpha] = logo.at(x, y);
        if (alpha < 255) continue;
        a.push(luma(r, g, bl));
        const [r2, g2, b2] = out.at(placement.left + x, placement.top + y);
        b.push(luma(r2, g2, b2));
      }
    }
    // The subject was cropped to its bounding box before scaling: allow for a pixel of drift.
    expect(_correlation(a, b)).toBeGreaterThan(0.85);
  });

  it('keeps the scene outside the subject and its shadow', () => {
    const far = (x: number, y: number) =>
      y < placement.top - 10 || x < placement.left - 60 || x > placement.left + placement.width + 60;
    expect(measure(out, far).luminance).toBeCloseTo(measure(scene, far).luminance, 0);
  });

  it('casts a soft contact shadow just below the subject', () => {
    const bottom = placement.top + placement.height;
    const below = (x: number, y: number) =>
      y > bottom + 1 &&
      y <= bottom + 6 &&
      Math.abs(x - (placement.left + placement.width / 2)) < placement.width * 0.25;
    expect(measure(out, below).luminance).toBeLessThan(measure(scene, below).luminance * 0.8);
  });

  it("pulls the subject's colour toward the scene's (a warm wooden table)", async () => {
    const g = placement.colourGains;
    expect(g[0]).toBeGreaterThan(g[2]);
    const inside = (x: number, y: number) =>
      Math.hypot(x - (placement.left + placement.width / 2), y - (placement.top + placement.height / 2)) <
      placement.width * 0.4;
    const logo = await pixels(
      await sharp((await fixture('logo-alpha')).data)
        .resize(placement.width, placement.height, { fit: 'fill' })
        .extend({
          left: placement.left,
          top: placement.top,
          right: 600 - placement.left - placement.width,
          bottom: 400 - placement.top - placement.height,
        })
        .png()
        .toBuffer(),
    );
    const before = measure(logo, inside);
    const afterPlacing = measure(out, inside);
    expect(afterPlacing.redMinusBlue / afterPlacing.luminance).toBeGreaterThan(
      before.redMinusBlue / before.luminance,
    );
  });

  it('places a product shot on studio white too (subject separated from its backdrop)', async () => {
    const white = await edit('put the product from image 1 onto the table in image 2', [
      'product-on-white',
      'brick',
    ]);
    const p = await pixels(white.image);
    const place = white.details?.placement as Placement;
    // The red saucer now sits on the grey bricks.
    const centre = p.at(place.left + Math.round(place.width / 2), place.top + Math.round(place.height * 0.8));
    expect(centre[0] - centre[2]).toBeGreaterThan(25);
    expect(white.details?.subject).toMatchObject({ source: 'uniform-background' });
  });

  it('is deterministic: same inputs, same bytes', async () => {
    const again = await edit(PROMPT, ['logo-alpha', 'coffee']);
    expect(again.image.data.equals(result.image.data)).toBe(true);
  });

  it('blurs the scene behind the subject when also asked for bokeh', async () => {
    const blurred = await pixels(
      (await edit(`${PROMPT}, with a soft bokeh`, ['logo-alpha', 'coffee'])).image,
    );
    const top = (_x: number, y: number) => y < placement.top - 20;
    expect(measure(blurred, top).detail).toBeLessThan(measure(out, top).detail * 0.6);
  });
});

function _correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    va += ((a[i] as number) - ma) ** 2;
    vb += ((b[i] as number) - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}
