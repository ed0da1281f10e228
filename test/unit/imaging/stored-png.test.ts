import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../../shared/imaging/index.js';
import { encodeStoredPng, pixelImage } from '../../../shared/imaging/stored-png.js';
import { readFixture } from '../../fixtures/index.js';

const LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000, minSide: 1 };

describe('encodeStoredPng', () => {
  it.each([3, 4] as const)('writes a PNG that decodes to the same %i-channel pixels', async (channels) => {
    const { data, info } = await sharp(readFixture('logo.png'))
      [channels === 4 ? 'ensureAlpha' : 'removeAlpha']()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const png = encodeStoredPng({ data, width: info.width, height: info.height, channels });
    const back = await sharp(png, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
    expect(back.info).toMatchObject({ width: info.width, height: info.height, channels });
    expect(back.data.equals(data)).toBe(true);
    // Stored, not compressed: the rows, one filter byte each, plus framing.
    expect(png.length).toBeGreaterThan(data.length + info.height);
  });
});

describe('pixelImage', () => {
  it('makes its PNG on the first read of data, once', () => {
    const pixels = { data: Buffer.alloc(4 * 3 * 3, 200), width: 4, height: 3, channels: 3 as const };
    const image = pixelImage(pixels);
    expect(image).toMatchObject({ mimeType: 'image/png', width: 4, height: 3 });
    expect(image.pixels).toBe(pixels);
    const first = image.data;
    expect(image.data).toBe(first);
    expect(first.equals(encodeStoredPng(pixels))).toBe(true);
  });
});

describe('loadImage with storedPng', () => {
  it('keeps the decoded pixels, and a PNG of them when read, as without the option', async () => {
    const bytes = await sharp(readFixture('chelsea.png')).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const [plain, stored] = await Promise.all([
      loadImage(bytes, LIMITS),
      loadImage(bytes, LIMITS, { storedPng: true }),
    ]);
    expect(stored.image).toMatchObject({ width: 300, height: 451, mimeType: 'image/png' });
    expect(stored.image.pixels?.data.equals(plain.image.pixels?.data as Buffer)).toBe(true);
    const [a, b] = await Promise.all([
      sharp(plain.image.data).raw().toBuffer(),
      sharp(stored.image.data).raw().toBuffer(),
    ]);
    expect(b.equals(a)).toBe(true);
  });
});
