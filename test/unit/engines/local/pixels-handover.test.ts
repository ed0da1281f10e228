import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createLocalEngine, OPERATIONS, parseEditPrompt } from '../../../../shared/engines/local/index.js';
import { loadImage } from '../../../../shared/imaging/index.js';
import { readFixture } from '../../../fixtures/index.js';
import { fixture, stage } from './helpers.js';

const LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000, minSide: 1 };

async function rawOf(data: Buffer): Promise<Buffer> {
  return sharp(data).raw().toBuffer();
}

describe('the local engine and decoded pixels', () => {
  it('gives the same PNG from an image that carries its pixels as from its bytes alone', async () => {
    const loaded = await loadImage(readFixture('chelsea.png'), LIMITS);
    expect(loaded.image.pixels).toMatchObject({ width: 451, height: 300, channels: 3 });
    const engine = createLocalEngine();
    const run = (input: EngineImage) =>
      engine.edit({ stage: stage('make it warmer'), input, references: [] });
    const withPixels = await run(loaded.image);
    const bytesOnly = await run({ ...loaded.image, pixels: undefined });
    expect(withPixels.image.data.equals(bytesOnly.image.data)).toBe(true);
  });

  // The engine works on the pixels it is handed without copying them: every operation must leave
  // its input frames as they were (the same pixels go on to the outputs and the compare sheet).
  const EVERY_OPERATION: readonly [string, number][] = [
    ['Place the product from image 1 into the scene in image 2', 1],
    ['Replace the background with image 2', 1],
    ['Remove the background', 0],
    ['Blur the background', 0],
    ['golden hour', 0],
    ['add a vignette', 0],
    ['portra 400 look', 0],
    ['velvia look', 0],
    ['teal and orange look', 0],
    ['black and white', 0],
    ['sepia', 0],
    ['less contrast', 0],
    ['more contrast', 0],
    ['less saturated', 0],
    ['more vibrant', 0],
    ['make it warmer', 0],
    ['make it cooler', 0],
    ['matte look', 0],
    ['brighter', 0],
    ['darker', 0],
    ['add film grain', 0],
    ['sharpen', 0],
    ['soften', 0],
  ];

  it('names every operation of the vocabulary in the table below', () => {
    const named = new Set(EVERY_OPERATION.flatMap(([p]) => parseEditPrompt(p).operations.map((o) => o.op)));
    expect([...named].sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(EVERY_OPERATION)('leaves the pixels it was given untouched: %s', async (prompt, referenceCount) => {
    const product = await loadImage((await fixture('product-on-white')).data, LIMITS);
    const scene = await loadImage(readFixture('brick.png'), LIMITS);
    const images = [product.image, scene.image];
    const before = images.map((i) => Buffer.from(i.pixels?.data ?? Buffer.alloc(0)));
    await createLocalEngine().edit({
      stage: stage(prompt, { referenceCount }),
      input: product.image,
      references: referenceCount > 0 ? [scene.image] : [],
    });
    images.forEach((image, k) => {
      expect(image.pixels?.data.equals(before[k] as Buffer)).toBe(true);
    });
  });

  it('returns the decoded pixels of the PNG it returns, and plans every stage as recomputable', async () => {
    const engine = createLocalEngine();
    expect(engine.plan(stage('make it warmer')).recomputable).toBe(true);
    const input = await fixture('logo-alpha');
    const result = await engine.edit({ stage: stage('make it warmer'), input, references: [] });
    const pixels = result.image.pixels;
    expect(pixels).toMatchObject({ width: result.image.width, height: result.image.height, channels: 4 });
    expect(pixels?.data.equals(await rawOf(result.image.data))).toBe(true);
  });

  it('writes an uncompressed PNG of the same pixels when the output is only handed on (fastEncoding)', async () => {
    const input = await fixture('chelsea');
    const engine = createLocalEngine();
    const run = (fastEncoding: boolean) =>
      engine.edit({ stage: stage('make it warmer'), input, references: [], fastEncoding });
    const [stored, fast] = await Promise.all([run(false), run(true)]);
    expect(fast.image.data.length).toBeGreaterThan(fast.image.width * fast.image.height * 3);
    expect(fast.image.data.length).toBeGreaterThan(stored.image.data.length);
    expect((await sharp(stored.image.data).metadata()).icc).toBeDefined();
    expect(await rawOf(fast.image.data)).toEqual(await rawOf(stored.image.data));
    expect((await run(true)).image.data.equals(fast.image.data)).toBe(true);
  });

  it('still warms: red up and blue down against the source', async () => {
    const input = await fixture('chelsea');
    const result = await createLocalEngine().edit({ stage: stage('make it warmer'), input, references: [] });
    const [src, out] = await Promise.all([sharp(input.data).stats(), sharp(result.image.data).stats()]);
    expect((out.channels[0]?.mean ?? 0) - (src.channels[0]?.mean ?? 0)).toBeGreaterThan(2);
    expect((src.channels[2]?.mean ?? 0) - (out.channels[2]?.mean ?? 0)).toBeGreaterThan(2);
  });
});

describe('loadImage and decoded pixels', () => {
  it('keeps the decoded pixels of its PNG, oriented and in sRGB', async () => {
    const rotated = await sharp(readFixture('chelsea.png'))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const loaded = await loadImage(rotated, LIMITS);
    expect(loaded.image).toMatchObject({ width: 300, height: 451 });
    expect(loaded.image.pixels).toMatchObject({ width: 300, height: 451, channels: 3 });
    expect(loaded.image.pixels?.data.equals(await rawOf(loaded.image.data))).toBe(true);
  });

  it('keeps no second copy above 3072 px, where the PNG is stored uncompressed', async () => {
    const big = await sharp({ create: { width: 3100, height: 64, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const loaded = await loadImage(big, LIMITS);
    expect(loaded.image.pixels).toBeUndefined();
  });
});
