import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, InputImageError } from '../../../shared/errors.js';
import { loadImage } from '../../../shared/imaging/index.js';
import type { ImageLimits } from '../../../shared/imaging/load.js';
import { type BadInput, readBadFixture, readFixture } from '../../fixtures/index.js';
import { near, pixelAt } from './pixels.js';

const LIMITS: ImageLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000, minSide: 256 };
const RED = [255, 0, 0];
const GREEN = [0, 255, 0];

interface Normalised {
  width: number;
  height: number;
  channels: 3 | 4;
  warning?: RegExp;
  icc?: boolean;
  /** Pixels of the normalised image that must have these RGB(A) values. */
  pixels?: { x: number; y: number; rgba: number[]; tolerance?: number }[];
  greyscale?: boolean;
}

interface TestData {
  file: BadInput;
  why: string;
  limits?: Partial<ImageLimits>;
  code?: ErrorCode;
  message?: RegExp;
  result?: Normalised;
}

const CORPUS: TestData[] = [
  { file: 'empty.jpg', why: 'an empty file', code: 'IMAGE_EMPTY', message: /empty/ },
  {
    file: 'text.jpg',
    why: 'text named .jpg',
    code: 'IMAGE_NOT_AN_IMAGE',
    message: /not an image.*JPEG, PNG/,
  },
  { file: 'random.bin', why: 'random bytes', code: 'IMAGE_NOT_AN_IMAGE' },
  {
    file: 'drawing.svg',
    why: 'an SVG',
    code: 'IMAGE_UNSUPPORTED_FORMAT',
    message: /SVG files are refused.*JPEG, PNG, WebP, GIF, TIFF, AVIF\./,
  },
  { file: 'drawing-named.png', why: 'an SVG named .png', code: 'IMAGE_UNSUPPORTED_FORMAT', message: /SVG/ },
  { file: 'document.pdf', why: 'a PDF', code: 'IMAGE_UNSUPPORTED_FORMAT', message: /PDF files are refused/ },
  { file: 'bitmap.bmp', why: 'a BMP', code: 'IMAGE_UNSUPPORTED_FORMAT', message: /BMP/ },
  { file: 'truncated.jpg', why: 'a truncated JPEG', code: 'IMAGE_CORRUPT', message: /truncated or corrupt/ },
  { file: 'truncated.png', why: 'a PNG cut in half', code: 'IMAGE_CORRUPT' },
  { file: 'multipage_rgb.tif', why: '64-bit float planar TIFF pages', code: 'IMAGE_UNSUPPORTED_FORMAT' },
  {
    file: 'bomb.png',
    why: 'a 30000×30000 decompression bomb',
    code: 'IMAGE_TOO_MANY_PIXELS',
    message: /30000×30000/,
  },
  { file: 'tiny.png', why: 'a 32×32 image', code: 'IMAGE_TOO_SMALL', message: /Upscale it first/ },
  {
    file: 'no_time_for_that_tiny.gif',
    why: 'a 14×25 animation at the default minimum',
    code: 'IMAGE_TOO_SMALL',
  },
  {
    file: 'cmyk.jpg',
    why: 'a bytes limit',
    limits: { maxBytes: 1000 },
    code: 'IMAGE_TOO_LARGE',
    message: /MAX_INPUT_BYTES/,
  },
  { file: 'rgba.png', why: 'a pixel limit', limits: { maxPixels: 10_000 }, code: 'IMAGE_TOO_MANY_PIXELS' },
  {
    file: 'no_time_for_that_tiny.gif',
    why: 'an animated GIF',
    limits: { minSide: 8 },
    result: {
      width: 14,
      height: 25,
      channels: 4,
      warning: /animated GIF: only the first of 24 frames is used/,
    },
  },
  {
    file: 'animated.webp',
    why: 'an animated WebP (red, green, blue frames)',
    result: {
      width: 300,
      height: 300,
      channels: 3,
      warning: /animated WEBP: only the first of 3 frames/,
      pixels: [{ x: 150, y: 150, rgba: RED }],
    },
  },
  {
    file: 'multipage.tif',
    why: 'a three-page TIFF',
    result: {
      width: 300,
      height: 300,
      channels: 3,
      warning: /multi-page TIFF: only the first of 3 pages/,
      pixels: [{ x: 10, y: 10, rgba: RED }],
    },
  },
  {
    file: 'chessboard_GRAY_U16.tif',
    why: 'a 16-bit greyscale TIFF',
    limits: { minSide: 128 },
    result: { width: 200, height: 200, channels: 3, warning: /reduced to 8 bits/, greyscale: true },
  },
  {
    file: 'cmyk.jpg',
    why: 'a CMYK JPEG',
    result: {
      width: 300,
      height: 300,
      channels: 3,
      warning: /CMYK converted to sRGB/,
      pixels: [{ x: 20, y: 20, rgba: RED, tolerance: 48 }],
    },
  },
  {
    file: 'palette.png',
    why: 'a palette PNG',
    result: { width: 300, height: 300, channels: 3, pixels: [{ x: 280, y: 20, rgba: GREEN }] },
  },
  {
    file: 'grey.jpg',
    why: 'a greyscale JPEG',
    result: { width: 300, height: 300, channels: 3, greyscale: true },
  },
  {
    file: 'rgba.png',
    why: 'an RGBA PNG',
    result: {
      width: 300,
      height: 300,
      channels: 4,
      pixels: [
        { x: 0, y: 10, rgba: [255, 0, 0, 255], tolerance: 2 },
        { x: 299, y: 10, rgba: [0, 255, 0, 0], tolerance: 2 },
      ],
    },
  },
  {
    file: 'orientation-6.jpg',
    why: 'a JPEG with EXIF orientation 6 (stored 400×300, red top-left)',
    // Its writer embedded an sRGB profile alongside the orientation.
    result: { width: 300, height: 400, channels: 3, icc: true, pixels: [{ x: 280, y: 20, rgba: RED }] },
  },
  {
    file: 'display-p3.jpg',
    why: 'a Display P3 JPEG',
    result: {
      width: 300,
      height: 300,
      channels: 3,
      icc: true,
      pixels: [{ x: 20, y: 20, rgba: RED, tolerance: 30 }],
    },
  },
  { file: 'gps-exif.jpg', why: 'a JPEG with GPS EXIF', result: { width: 300, height: 300, channels: 3 } },
];

describe('loadImage', () => {
  describe('over the bad-input corpus', () => {
    for (const t of CORPUS) {
      const limits = { ...LIMITS, ...t.limits };
      if (t.code) {
        it(`refuses ${t.why} (${t.file}) with ${t.code}`, async () => {
          const err = await loadImage(readBadFixture(t.file), limits).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(InputImageError);
          expect((err as InputImageError).code).toBe(t.code);
          if (t.message) expect((err as Error).message).toMatch(t.message);
        });
      } else if (t.result) {
        const want = t.result;
        it(`normalises ${t.why} (${t.file})`, async () => {
          const loaded = await loadImage(readBadFixture(t.file), limits);
          const meta = await sharp(loaded.image.data).metadata();
          expect(loaded.image).toMatchObject({
            mimeType: 'image/png',
            width: want.width,
            height: want.height,
          });
          expect(meta).toMatchObject({
            format: 'png',
            space: 'srgb',
            depth: 'uchar',
            channels: want.channels,
          });
          expect([meta.width, meta.height]).toEqual([want.width, want.height]);
          if (want.warning) expect(loaded.warnings.join('\n')).toMatch(want.warning);
          else expect(loaded.warnings).toEqual([]);
          expect(loaded.icc !== undefined).toBe(want.icc ?? false);
          for (const p of want.pixels ?? []) {
            expect(near(await pixelAt(loaded.image.data, p.x, p.y), p.rgba, p.tolerance)).toBe(true);
          }
          if (want.greyscale) {
            const [r, g, b] = await pixelAt(loaded.image.data, want.width / 2 - 7, want.height / 2 - 7);
            expect(r).toBe(g);
            expect(g).toBe(b);
          }
        });
      }
    }
  });

  it('describes the source as it was before normalisation', async () => {
    const loaded = await loadImage(readBadFixture('orientation-6.jpg'), LIMITS);
    expect(loaded.source).toMatchObject({
      format: 'jpeg',
      width: 300,
      height: 400,
      orientation: 6,
      pages: 1,
    });
    const animated = await loadImage(readBadFixture('animated.webp'), LIMITS);
    expect(animated.source).toMatchObject({ format: 'webp', pages: 3 });
  });

  it('keeps a good photo as is, apart from the PNG encoding', async () => {
    const bytes = readFixture('chelsea.png');
    const loaded = await loadImage(bytes, LIMITS);
    expect(loaded.image).toMatchObject({ width: 451, height: 300 });
    expect(loaded.source).toMatchObject({ format: 'png', bytes: bytes.length, hasAlpha: false });
    expect(await pixelAt(loaded.image.data, 100, 100)).toEqual(await pixelAt(bytes, 100, 100));
  });

  it('stores the PNG uncompressed when asked, with the same pixels', async () => {
    const bytes = readBadFixture('orientation-6.jpg');
    const compressed = await loadImage(bytes, LIMITS);
    const stored = await loadImage(bytes, LIMITS, { storedPng: true });
    const { width, height } = stored.image;
    expect(stored.image).toMatchObject({ mimeType: 'image/png', width: 300, height: 400 });
    expect(stored.image.data.length).toBeGreaterThanOrEqual(width * height * 3);
    expect(compressed.image.data.length).toBeLessThan(width * height * 3);
    const raw = async (png: Buffer) =>
      (await sharp(png).raw().toBuffer()).equals(compressed.image.pixels?.data ?? Buffer.alloc(0));
    expect(await raw(stored.image.data)).toBe(true);
    expect(await raw(compressed.image.data)).toBe(true);
    expect(stored.image.pixels?.data.equals(compressed.image.pixels?.data ?? Buffer.alloc(0))).toBe(true);
  });

  it('keeps the source ICC profile and converts the pixels to sRGB', async () => {
    const loaded = await loadImage(readBadFixture('display-p3.jpg'), LIMITS);
    expect(loaded.icc?.subarray(16, 20).toString('latin1')).toBe('RGB ');
    expect((await sharp(loaded.image.data).metadata()).hasProfile).toBe(false);
  });

  it('loads an AVIF', async () => {
    const avif = await sharp(readFixture('coffee.png')).avif({ effort: 0 }).toBuffer();
    const loaded = await loadImage(avif, LIMITS);
    expect(loaded.source.format).toBe('avif');
    expect(loaded.image).toMatchObject({ mimeType: 'image/png', width: 600, height: 400 });
  });

  it('checks the byte limit before looking at the content', async () => {
    const err = await loadImage(readBadFixture('text.jpg'), { ...LIMITS, maxBytes: 10 }).catch(
      (e: unknown) => e,
    );
    expect((err as InputImageError).code).toBe('IMAGE_TOO_LARGE');
  });
});
