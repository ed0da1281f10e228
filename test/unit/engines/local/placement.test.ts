import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../../shared/engines/local/index.js';
import { placementGeometry } from '../../../../shared/subject/index.js';
import { fixture, pixels, stage } from './helpers.js';

interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
  shadow: { centreY: number };
  layout?: { rests: string; baseline: number; groundLine?: number };
}

/** A room: a light wall over a dark wooden table whose back edge is at 55% of the height. */
async function tableScene(): Promise<EngineImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">
<rect width="600" height="220" fill="#d9d2c5"/><rect y="220" width="600" height="180" fill="#6b4a2b"/></svg>`;
  const data = await sharp(Buffer.from(svg)).png().toBuffer();
  return { data, mimeType: 'image/png', width: 600, height: 400 };
}

/** A plain scene with no ground line. */
async function flatScene(colour: string): Promise<EngineImage> {
  const data = await sharp({ create: { width: 600, height: 400, channels: 3, background: colour } })
    .png()
    .toBuffer();
  return { data, mimeType: 'image/png', width: 600, height: 400 };
}

async function place(prompt: string, scene?: EngineImage) {
  const subject = await fixture('logo-alpha');
  const back = scene ?? (await fixture('coffee'));
  const result = await createLocalEngine().edit({
    stage: stage(prompt, { referenceCount: 1 }),
    input: subject,
    references: [back],
  });
  return { result, placement: result.details?.placement as Placement, scene: back };
}

describe('placementGeometry', () => {
  it.each([
    [
      'on the floor, bottom left, small',
      { surface: 'floor', horizontal: 'left', vertical: 'bottom', scale: 0.25 },
    ],
    ['so that it fills the frame', { scale: 0.9 }],
    ['on the table at the right, large', { surface: 'table', horizontal: 'right', scale: 0.62 }],
  ] as const)('reads "%s"', (phrase, expected) => {
    const g = placementGeometry(`Place the subject of image 1 into the scene of image 2 ${phrase}`);
    expect(g.surface).toBe('surface' in expected ? expected.surface : undefined);
    expect(g.horizontal).toBe('horizontal' in expected ? expected.horizontal : undefined);
    expect(g.vertical).toBe('vertical' in expected ? expected.vertical : undefined);
    expect(g.scale?.height).toBe(expected.scale);
  });

  it('reads nothing from a prompt without geometry', () => {
    expect(placementGeometry('Place the subject of image 1 into the scene of image 2').phrases).toEqual([]);
  });
});

describe('createLocalEngine place-subject geometry', () => {
  it('"bottom left, small": a small subject in the left part, its base near the bottom, with its shadow there', async () => {
    const { placement, result, scene } = await place(
      'Place the subject of image 1 into the scene of image 2, bottom left, small',
      await flatScene('#b0a898'),
    );
    expect(placement.height).toBeLessThanOrEqual(400 * 0.26);
    expect(placement.left + placement.width / 2).toBeLessThan(600 * 0.35);
    expect(placement.top + placement.height).toBeGreaterThan(400 * 0.94);
    expect(placement.shadow.centreY).toBe(placement.top + placement.height);
    // The contact shadow darkens the scene just below the base.
    const out = await pixels(result.image);
    const before = await pixels(scene);
    const x = Math.round(placement.left + placement.width * 0.5);
    const y = Math.min(399, placement.top + placement.height + 2);
    const lum = (p: number[]) => (p[0] as number) + (p[1] as number) + (p[2] as number);
    expect(lum(out.at(x, y))).toBeLessThan(lum(before.at(x, y)) - 30);
  });

  it('"on the table": the base rests on the table, in front of its back edge (the ground line)', async () => {
    const { placement } = await place(
      'Place the subject of image 1 on the table in image 2',
      await tableScene(),
    );
    expect(placement.layout?.rests).toBe('ground-line');
    expect(Math.abs((placement.layout?.groundLine ?? 0) - 220)).toBeLessThanOrEqual(4);
    const base = placement.top + placement.height;
    expect(base).toBeGreaterThan(220);
    expect(base).toBeLessThan(400 * 0.85);
  });

  it('"on the floor" without a visible floor line stands the base at the bottom', async () => {
    const flat = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#8a7f70' } })
      .png()
      .toBuffer();
    const { placement } = await place(
      'Place the subject of image 1 into the scene of image 2, on the floor',
      {
        data: flat,
        mimeType: 'image/png',
        width: 600,
        height: 400,
      },
    );
    expect(placement.layout?.rests).toBe('bottom');
    expect(placement.top + placement.height).toBeGreaterThan(400 * 0.94);
  });

  it('"fills the frame": the subject takes most of the scene', async () => {
    const { placement } = await place(
      'Place the subject of image 1 into the scene of image 2 so it fills the frame',
    );
    expect(Math.max(placement.height / 400, placement.width / 600)).toBeGreaterThan(0.85);
    expect(placement.top).toBeGreaterThanOrEqual(0);
    expect(placement.top + placement.height).toBeLessThanOrEqual(400);
  });

  it('"at the right, large": a large subject right of centre', async () => {
    const { placement } = await place(
      'Place the subject of image 1 into the scene of image 2 at the right, large',
    );
    expect(placement.height).toBeGreaterThan(400 * 0.55);
    expect(placement.left + placement.width / 2).toBeGreaterThan(600 * 0.6);
  });
});
