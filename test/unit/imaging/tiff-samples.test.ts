import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { tiffHasFloatSamples } from '../../../shared/imaging/tiff-samples.js';
import { badFixture } from '../../fixtures/index.js';

describe('tiffHasFloatSamples', () => {
  it('finds the floating-point samples of a 64-bit float TIFF from its own header', async () => {
    expect(tiffHasFloatSamples(readFileSync(badFixture('multipage_rgb.tif')))).toBe(true);
  });

  it('is false for an 8-bit TIFF, for other formats and for bytes too short to be a TIFF', async () => {
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .tiff()
      .toBuffer();
    expect(tiffHasFloatSamples(tiff)).toBe(false);
    expect(tiffHasFloatSamples(await sharp(tiff).png().toBuffer())).toBe(false);
    expect(tiffHasFloatSamples(Buffer.from('II*\0'))).toBe(false);
  });
});
