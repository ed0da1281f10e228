import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../shared/engines/engine.js';
import { encodeOutputs, loadImage } from '../../../shared/imaging/index.js';
import { type Provenance, readProvenance } from '../../../shared/imaging/provenance.js';
import {
  OUTPUT_FORMATS,
  type OutputOptions,
  OutputOptionsSchema,
} from '../../../shared/request/output-schema.js';
import { readBadFixture, readFixture } from '../../fixtures/index.js';
import { near, pixelAt } from './pixels.js';

const PROVENANCE: Provenance = {
  jobId: 'job-7f3a',
  stage: 2,
  engine: 'gemini',
  model: 'gemini-3.1-flash-image',
  promptHash: 'a'.repeat(64),
  digitalSourceType: 'trainedAlgorithmicMedia',
  sourceAssetIds: ['b'.repeat(64), 'c'.repeat(64)],
};

const options = (input: Record<string, unknown>): OutputOptions => OutputOptionsSchema.parse(input);

/** chelsea.png, 451×300, as the pipeline would hand it over. */
let photo: EngineImage;
/** rgba.png: red/green/blue/yellow quadrants, alpha falling from opaque (left) to transparent (right). */
let transparent: EngineImage;

beforeAll(async () => {
  photo = { data: readFixture('chelsea.png'), mimeType: 'image/png', width: 451, height: 300 };
  transparent = { data: readBadFixture('rgba.png'), mimeType: 'image/png', width: 300, height: 300 };
});

describe('encodeOutputs', () => {
  describe('formats', () => {
    it('writes one final output per requested format, each a real file of that format', async () => {
      const outputs = await encodeOutputs(
        photo,
        options({ formats: [...OUTPUT_FORMATS], quality: 70 }),
        PROVENANCE,
      );
      expect(outputs.map((o) => [o.role, o.format, o.ext, o.mimeType])).toEqual([
        ['final', 'webp', 'webp', 'image/webp'],
        ['final', 'jpeg', 'jpg', 'image/jpeg'],
        ['final', 'png', 'png', 'image/png'],
        ['final', 'avif', 'avif', 'image/avif'],
      ]);
      for (const output of outputs) {
        const meta = await sharp(output.data).metadata();
        expect(meta.format).toBe(output.format === 'avif' ? 'heif' : output.format);
        expect([meta.width, meta.height, output.width, output.height]).toEqual([451, 300, 451, 300]);
      }
    });

    it('honours quality', async () => {
      const [low] = await encodeOutputs(photo, options({ formats: ['jpeg'], quality: 20 }), PROVENANCE);
      const [high] = await encodeOutputs(photo, options({ formats: ['jpeg'], quality: 95 }), PROVENANCE);
      expect(low?.data.length).toBeLessThan((high?.data.length ?? 0) / 2);
    });
  });

  describe('metadata', () => {
    it.each([...OUTPUT_FORMATS])('writes the provenance as XMP that reads back from %s', async (format) => {
      const [output] = await encodeOutputs(photo, options({ formats: [format] }), PROVENANCE);
      expect(await readProvenance(output?.data ?? Buffer.alloc(0))).toEqual(PROVENANCE);
      const xmp = (await sharp(output?.data).metadata()).xmpAsString ?? '';
      expect(xmp).toContain('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    });

    it.each([...OUTPUT_FORMATS])(
      'embeds an sRGB profile and no EXIF in %s, even from a GPS-tagged source',
      async (format) => {
        const source = readBadFixture('gps-exif.jpg');
        expect((await sharp(source).metadata()).exif?.toString('latin1')).toContain('Jane Photographer');
        const image = { data: source, mimeType: 'image/jpeg', width: 300, height: 300 };
        const [output] = await encodeOutputs(image, options({ formats: [format] }), PROVENANCE);
        const meta = await sharp(output?.data).metadata();
        const srgb = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
          .withIccProfile('srgb')
          .png()
          .toBuffer()
          .then((b) => sharp(b).metadata());
        expect(meta.exif).toBeUndefined();
        expect(meta.icc?.equals(srgb.icc ?? Buffer.alloc(0))).toBe(true);
        expect(output?.data.includes('Jane Photographer')).toBe(false);
      },
    );

    it('converts a wide-gamut source to sRGB before encoding', async () => {
      const loaded = await loadImage(readBadFixture('display-p3.jpg'), {
        maxBytes: 1e7,
        maxPixels: 1e7,
        minSide: 1,
      });
      const [output] = await encodeOutputs(
        loaded.image,
        options({ formats: ['png'] }),
        PROVENANCE,
        loaded.icc,
      );
      expect(near(await pixelAt(output?.data ?? Buffer.alloc(0), 20, 20), [255, 0, 0], 30)).toBe(true);
    });

    it('keeps the colours of a 16-bit PNG (no transform that would read it as Display P3)', async () => {
      const data = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#20c040' } })
        .toColourspace('rgb16')
        .png()
        .toBuffer();
      const image = { data, mimeType: 'image/png', width: 8, height: 8 };
      const [output] = await encodeOutputs(image, options({ formats: ['png'] }), PROVENANCE);
      expect(await pixelAt(output?.data ?? Buffer.alloc(0), 4, 4)).toEqual([0x20, 0xc0, 0x40, 255]);
    });
  });

  describe('shaping', () => {
    it('shrinks to maxSize on the longest side and never enlarges', async () => {
      const [small] = await encodeOutputs(photo, options({ formats: ['png'], maxSize: 200 }), PROVENANCE);
      const [same] = await encodeOutputs(photo, options({ formats: ['png'], maxSize: 4000 }), PROVENANCE);
      expect([small?.width, small?.height]).toEqual([200, 133]);
      expect([same?.width, same?.height]).toEqual([451, 300]);
    });

    it('cover-crops to an aspect ratio', async () => {
      const [square] = await encodeOutputs(
        photo,
        options({ formats: ['png'], aspectRatio: '1:1' }),
        PROVENANCE,
      );
      const [portrait] = await encodeOutputs(
        photo,
        options({ formats: ['png'], aspectRatio: '4:5', maxSize: 100 }),
        PROVENANCE,
      );
      expect([square?.width, square?.height]).toEqual([300, 300]);
      expect([portrait?.width, portrait?.height]).toEqual([80, 100]);
    });

    it('crops around the centre when asked', async () => {
      const stripes = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#ff0000' } })
        .composite([
          {
            input: { create: { width: 100, height: 100, channels: 3, background: '#0000ff' } },
            left: 100,
            top: 0,
          },
        ])
        .png()
        .toBuffer();
      const image = { data: stripes, mimeType: 'image/png', width: 300, height: 100 };
      const [out] = await encodeOutputs(
        image,
        options({ formats: ['png'], aspectRatio: '1:1', position: 'centre' }),
        PROVENANCE,
      );
      expect([out?.width, out?.height]).toEqual([100, 100]);
      expect(near(await pixelAt(out?.data ?? Buffer.alloc(0), 5, 50), [0, 0, 255, 255], 2)).toBe(true);
    });

    it('pads to an aspect ratio with the background colour (a marketplace square on white)', async () => {
      const [square] = await encodeOutputs(
        photo,
        options({ formats: ['png'], aspectRatio: '1:1', fit: 'pad', background: '#ffffff' }),
        PROVENANCE,
      );
      expect([square?.width, square?.height]).toEqual([451, 451]);
      const data = square?.data ?? Buffer.alloc(0);
      expect(await pixelAt(data, 5, 5)).toEqual([255, 255, 255, 255]);
      expect(await pixelAt(data, 200, 225)).toEqual(await pixelAt(photo.data, 200, 150));
    });

    it('flattens alpha onto the background for JPEG and keeps it for the others', async () => {
      const outputs = await encodeOutputs(
        transparent,
        options({ formats: ['jpeg', 'png'], background: '#ff00ff' }),
        PROVENANCE,
      );
      const jpeg = outputs.find((o) => o.format === 'jpeg')?.data ?? Buffer.alloc(0);
      const png = outputs.find((o) => o.format === 'png')?.data ?? Buffer.alloc(0);
      expect(near(await pixelAt(jpeg, 297, 100), [255, 0, 255], 30)).toBe(true);
      expect((await sharp(png).metadata()).hasAlpha).toBe(true);
      expect((await pixelAt(png, 299, 100))[3]).toBe(0);
    });
  });

  it('writes each named size separately, in its own formats or the job formats', async () => {
    const outputs = await encodeOutputs(
      photo,
      options({
        formats: ['webp', 'avif'],
        sizes: {
          thumb: { maxSize: 64, formats: ['jpeg'] },
          listing: { aspectRatio: '1:1', fit: 'pad', maxSize: 128 },
        },
      }),
      PROVENANCE,
    );
    expect(outputs.map((o) => `${o.role}.${o.ext} ${o.width}x${o.height}`)).toEqual([
      'final.webp 451x300',
      'final.avif 451x300',
      'thumb.jpg 64x43',
      'listing.webp 128x128',
      'listing.avif 128x128',
    ]);
    for (const output of outputs) expect((await readProvenance(output.data)).jobId).toBe('job-7f3a');
  });
});
