import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../shared/engines/engine.js';
import { fitForEngine } from '../../../shared/imaging/index.js';

const TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp']);

async function image(width: number, height: number, alpha = 1): Promise<EngineImage> {
  const data = await sharp({
    create: { width, height, channels: 4, background: { r: 200, g: 40, b: 40, alpha } },
  })
    .png()
    .toBuffer();
  return { data, mimeType: 'image/png', width, height };
}

describe('fitForEngine', () => {
  it('sends an image that fits, of an accepted type, as it is', async () => {
    const input = await image(300, 200);
    const out = await fitForEngine(input, { maxSide: 300, accepted: TYPES, encodeAs: 'same', quality: 92 });
    expect(out).toEqual({ image: input, reencoded: false });
  });

  it('downscales to the longest side, keeping the type with encodeAs same', async () => {
    const out = await fitForEngine(await image(400, 200), {
      maxSide: 100,
      accepted: TYPES,
      encodeAs: 'same',
      quality: 92,
    });
    expect(out.reencoded).toBe(true);
    expect(out.image).toMatchObject({ mimeType: 'image/png', width: 100, height: 50 });
    expect((await sharp(out.image.data).metadata()).format).toBe('png');
  });

  it('re-encodes as JPEG, or WebP for real transparency, with encodeAs jpeg-or-webp', async () => {
    const options = { maxSide: 100, accepted: TYPES, encodeAs: 'jpeg-or-webp' as const, quality: 90 };
    expect((await fitForEngine(await image(200, 200), options)).image.mimeType).toBe('image/jpeg');
    expect((await fitForEngine(await image(200, 200, 0.5), options)).image.mimeType).toBe('image/webp');
  });

  it('re-encodes an image over passThroughMaxBytes even when it fits', async () => {
    const input = await image(64, 64);
    const out = await fitForEngine(input, {
      maxSide: 64,
      accepted: TYPES,
      encodeAs: 'jpeg-or-webp',
      quality: 90,
      passThroughMaxBytes: input.data.length - 1,
    });
    expect(out).toMatchObject({ reencoded: true, image: { mimeType: 'image/jpeg', width: 64, height: 64 } });
  });

  it('steps the side down until the encoding fits maxBytes, not below 256 px', async () => {
    const noisy = await sharp(
      Buffer.from(Array.from({ length: 1024 * 1024 * 3 }, (_v, i) => (i * 7919) % 251)),
      {
        raw: { width: 1024, height: 1024, channels: 3 },
      },
    )
      .png()
      .toBuffer();
    const input = { data: noisy, mimeType: 'image/png', width: 1024, height: 1024 };
    const options = {
      maxSide: 1024,
      accepted: TYPES,
      encodeAs: 'jpeg-or-webp' as const,
      quality: 90,
      passThroughMaxBytes: 0,
    };
    const full = await fitForEngine(input, options);
    const fitted = await fitForEngine(input, {
      ...options,
      maxBytes: Math.floor(full.image.data.length / 2),
    });
    expect(fitted.image.width).toBeLessThan(1024);
    expect(fitted.image.data.length).toBeLessThanOrEqual(Math.floor(full.image.data.length / 2));
    const floor = await fitForEngine(input, { ...options, maxBytes: 1 });
    expect(floor.image.width).toBeLessThanOrEqual(256);
    expect(floor.image.width).toBeGreaterThan(256 * 0.75);
  });
});
