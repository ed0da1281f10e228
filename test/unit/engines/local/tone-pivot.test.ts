import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../../shared/engines/local/index.js';
import { fixture, luma, pixels, stage } from './helpers.js';

/** The spread (standard deviation) and median of luma, 0…255. */
async function tones(image: Buffer | EngineImage): Promise<{ spread: number; median: number }> {
  const p = await pixels(image);
  const values: number[] = [];
  for (let i = 0; i < p.data.length; i += 4) {
    values.push(luma(p.data[i] as number, p.data[i + 1] as number, p.data[i + 2] as number));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  values.sort((a, b) => a - b);
  return { spread, median: values[Math.floor(values.length / 2)] as number };
}

/** chelsea.png squeezed into a quarter of the tonal range: the shadows (low key) or highlights (high key). */
async function keyed(offset: number): Promise<EngineImage> {
  const base = await fixture('chelsea');
  const data = await sharp(base.data).linear(0.25, offset).png().toBuffer();
  return { ...base, data };
}

async function contrasted(input: EngineImage, prompt: string): Promise<Buffer> {
  const result = await createLocalEngine().edit({ stage: stage(prompt), input, references: [] });
  return result.image.data;
}

describe('local engine contrast pivots on the image’s own median', () => {
  let lowKey: EngineImage;
  let highKey: EngineImage;
  beforeAll(async () => {
    lowKey = await keyed(8);
    highKey = await keyed(180);
  });

  it('"Increase the contrast" visibly widens a low-key (night) photograph’s tones and keeps its median', async () => {
    const before = await tones(lowKey);
    const after = await tones(await contrasted(lowKey, 'Increase the contrast'));
    expect(after.spread).toBeGreaterThan(before.spread * 1.3);
    expect(Math.abs(after.median - before.median)).toBeLessThan(6);
  });

  it('"Increase the contrast" visibly widens a high-key photograph’s tones and keeps its median', async () => {
    const before = await tones(highKey);
    const after = await tones(await contrasted(highKey, 'Increase the contrast'));
    expect(after.spread).toBeGreaterThan(before.spread * 1.3);
    expect(Math.abs(after.median - before.median)).toBeLessThan(6);
  });

  it('"less contrast" narrows a low-key photograph around its median instead of lifting it to grey', async () => {
    const before = await tones(lowKey);
    const after = await tones(await contrasted(lowKey, 'less contrast'));
    expect(after.spread).toBeLessThan(before.spread * 0.9);
    expect(Math.abs(after.median - before.median)).toBeLessThan(6);
  });
});
