import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateGeminiCost, priceFor } from '../../../../shared/engines/gemini/cost.js';
import { GEMINI_MODELS, type GeminiModelProfile } from '../../../../shared/engines/gemini/models.js';
import { defaultMaxInputSide, prepareImage } from '../../../../shared/engines/gemini/prepare.js';
import { solidImage } from '../../../support/gemini-server/images.js';

const flash = GEMINI_MODELS['gemini-3.1-flash-image'] as GeminiModelProfile;
const pro = GEMINI_MODELS['gemini-3-pro-image'] as GeminiModelProfile;
const MB = 1024 * 1024;

describe('prepareImage', () => {
  it('sends a small image of an accepted type unchanged', async () => {
    const img = await solidImage([10, 20, 30], 800, 600);
    const out = await prepareImage(img, { image: 1, maxSide: 1536, maxBytes: 7 * MB });
    expect(out.data).toBe(img.data);
    expect(out.sent).toMatchObject({
      image: 1,
      width: 800,
      height: 600,
      reencoded: false,
      mimeType: 'image/png',
    });
  });

  it('downscales to the longest side and re-encodes as JPEG', async () => {
    const img = await solidImage([200, 100, 50], 3000, 1000);
    const out = await prepareImage(img, { image: 2, maxSide: 1500, maxBytes: 7 * MB });
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1500, 500]);
    expect(out.sent).toMatchObject({
      image: 2,
      width: 1500,
      height: 500,
      bytes: out.data.length,
      reencoded: true,
    });
    expect(out.sent.original).toEqual({
      width: 3000,
      height: 1000,
      bytes: img.data.length,
      mimeType: 'image/png',
    });
  });

  it('keeps real transparency as WebP, and flattens an opaque alpha channel to JPEG', async () => {
    const clear = await sharp({
      create: { width: 2000, height: 2000, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const opaque = await sharp({
      create: { width: 2000, height: 2000, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const image = (data: Buffer) => ({ data, mimeType: 'image/png', width: 2000, height: 2000 });
    const a = await prepareImage(image(clear), { image: 1, maxSide: 1000, maxBytes: 7 * MB });
    const b = await prepareImage(image(opaque), { image: 1, maxSide: 1000, maxBytes: 7 * MB });
    expect(a.mimeType).toBe('image/webp');
    expect((await sharp(a.data).metadata()).hasAlpha).toBe(true);
    expect(b.mimeType).toBe('image/jpeg');
  });

  it('steps the size down until the image fits the per-image byte limit', async () => {
    const noise = await sharp({
      create: {
        width: 1200,
        height: 1200,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    const out = await prepareImage(
      { data: noise, mimeType: 'image/png', width: 1200, height: 1200 },
      { image: 1, maxSide: 1200, maxBytes: 200_000 },
    );
    expect(out.data.length).toBeLessThanOrEqual(200_000);
    expect(out.sent.width).toBeLessThan(1200);
  });

  it('chooses the default side from the requested output size', () => {
    expect(defaultMaxInputSide(flash, undefined)).toBe(1536);
    expect(defaultMaxInputSide(flash, '2K')).toBe(2048);
    expect(defaultMaxInputSide(flash, '4K')).toBe(3072);
    expect(defaultMaxInputSide(flash, '512')).toBe(1024);
  });
});

describe('estimateGeminiCost', () => {
  it('prices prompt, image and text/thinking tokens at their own rates', () => {
    const usd = estimateGeminiCost({
      price: priceFor(flash),
      profile: flash,
      usage: { promptTokens: 1_000_000, outputTokens: 1_100_000, thoughtTokens: 900_000 },
      imageTokens: 100_000,
    });
    // 1M × $0.50 + 0.1M × $60 + (1M text + 0.9M thinking) × $3
    expect(usd).toBeCloseTo(0.5 + 6 + 5.7, 6);
  });

  it('falls back to the per-image token table without usage, and takes price overrides', () => {
    expect(estimateGeminiCost({ price: priceFor(pro), profile: pro, imageSize: '4K' })).toBeCloseTo(0.24, 6);
    const price = priceFor(pro, { 'gemini-3-pro-image': { imageOutputPerMillion: 60 } });
    expect(price).toEqual({ inputPerMillion: 2, imageOutputPerMillion: 60, textOutputPerMillion: 12 });
  });
});
