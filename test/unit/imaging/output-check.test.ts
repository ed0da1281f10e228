import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/errors.js';
import { checkEngineOutput, createOutputCheck } from '../../../shared/imaging/index.js';
import { readBadFixture, readFixture } from '../../fixtures/index.js';

describe('checkEngineOutput', () => {
  it('sniffs the real type, whatever the engine declared', async () => {
    const image = await checkEngineOutput({ data: readFixture('coffee.png'), mimeType: 'image/jpeg' });
    expect(image).toMatchObject({ mimeType: 'image/png', width: 600, height: 400 });
  });

  it('names the source and keeps the declared type in the details of a refusal', async () => {
    const err = await checkEngineOutput(
      { data: readBadFixture('drawing.svg'), mimeType: 'image/png' },
      { source: 'Replicate: output of prediction p1 (m)' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({
      code: 'ENGINE_BAD_OUTPUT',
      details: { format: 'svg', declared: 'image/png' },
    });
    expect((err as Error).message).toMatch(
      /^Replicate: output of prediction p1 \(m\) returned \d+ bytes that are not a raster image \(svg\)\.$/,
    );
  });

  it('refuses more pixels than maxPixels from the header', async () => {
    const err = await checkEngineOutput(
      { data: readFixture('coffee.png'), mimeType: 'image/png' },
      { maxPixels: 1000 },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENGINE_BAD_OUTPUT', details: { pixels: 240_000 } });
  });
});

describe('checkEngineOutput with the pixels an engine drew', () => {
  const drawn = async (width: number, height: number) => {
    const raw = { width, height, channels: 3 as const };
    const data = Buffer.alloc(width * height * 3, 128);
    const png = await sharp(data, { raw }).png({ compressionLevel: 0 }).toBuffer();
    return { png, pixels: { data, ...raw } };
  };

  it('keeps the pixels with the bytes when the header describes them, and decodes nothing', async () => {
    const { png, pixels } = await drawn(40, 30);
    const image = await checkEngineOutput({ data: png, mimeType: 'image/png', pixels });
    expect(image).toMatchObject({ mimeType: 'image/png', width: 40, height: 30 });
    expect(image.data).toBe(png);
    expect(image.pixels).toBe(pixels);
  });

  it('refuses bytes whose header does not describe the pixels handed over', async () => {
    const { png } = await drawn(40, 30);
    const { pixels } = await drawn(30, 40);
    const err = await checkEngineOutput({ data: png, mimeType: 'image/png', pixels }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'ENGINE_BAD_OUTPUT', details: { width: 40, height: 30, channels: 3 } });
  });

  it('still sniffs and bounds the bytes first', async () => {
    const { pixels } = await drawn(40, 30);
    const svg = checkEngineOutput({ data: readBadFixture('drawing.svg'), mimeType: 'image/png', pixels });
    await expect(svg).rejects.toMatchObject({ code: 'ENGINE_BAD_OUTPUT', details: { format: 'svg' } });
    const { png } = await drawn(40, 30);
    const big = checkEngineOutput({ data: png, mimeType: 'image/png', pixels }, { maxPixels: 100 });
    await expect(big).rejects.toMatchObject({ code: 'ENGINE_BAD_OUTPUT', details: { pixels: 1200 } });
  });
});

describe('createOutputCheck', () => {
  it('checks each output once: the same bytes, or what the check made of them, get the same answer', async () => {
    const check = createOutputCheck({ maxPixels: 1_000_000 });
    const jpeg = { data: readBadFixture('orientation-6.jpg'), mimeType: 'image/jpeg' };
    const first = check(jpeg);
    expect(check({ ...jpeg })).toBe(first);
    const image = await first;
    expect(image).toMatchObject({ mimeType: 'image/png', width: 300, height: 400 });
    expect(check(image)).toBe(first);
    const other = createOutputCheck();
    expect(other(jpeg)).not.toBe(first);
  });

  it('applies its pixel cap', async () => {
    const check = createOutputCheck({ maxPixels: 1000 });
    const err = await check({ data: readFixture('coffee.png'), mimeType: 'image/png' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ENGINE_BAD_OUTPUT' });
  });
});
