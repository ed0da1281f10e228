import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../../shared/engines/local/index.js';
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

  it('leaves the pixels it was given untouched', async () => {
    const loaded = await loadImage(readFixture('coffee.png'), LIMITS);
    const before = Buffer.from(loaded.image.pixels?.data ?? Buffer.alloc(0));
    await createLocalEngine().edit({ stage: stage('black and white'), input: loaded.image, references: [] });
    expect(loaded.image.pixels?.data.equals(before)).toBe(true);
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
