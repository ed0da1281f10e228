import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/errors.js';
import { decodeEngineImage } from '../../../shared/imaging/index.js';
import { readBadFixture, readFixture } from '../../fixtures/index.js';

describe('decodeEngineImage', () => {
  it('keeps a PNG byte for byte and measures it', async () => {
    const bytes = readFixture('coffee.png');
    const image = await decodeEngineImage(bytes);
    expect(image).toMatchObject({ mimeType: 'image/png', width: 600, height: 400 });
    expect(image.data).toBe(bytes);
  });

  it('normalises a rotated JPEG to an upright PNG', async () => {
    const image = await decodeEngineImage(readBadFixture('orientation-6.jpg'));
    expect(image).toMatchObject({ mimeType: 'image/png', width: 300, height: 400 });
    expect((await sharp(image.data).metadata()).format).toBe('png');
  });

  it.each([
    ['text', readBadFixture('text.jpg')],
    ['an SVG', readBadFixture('drawing.svg')],
    ['a truncated PNG', readBadFixture('truncated.png')],
    ['a truncated JPEG', readBadFixture('truncated.jpg')],
  ])('throws ENGINE_BAD_OUTPUT for %s', async (_what, bytes) => {
    const err = await decodeEngineImage(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('ENGINE_BAD_OUTPUT');
  });
});
