import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type SniffedFormat, sniffFormat } from '../../../shared/imaging/sniff.js';
import { type BadInput, readBadFixture } from '../../fixtures/index.js';

interface TestData {
  file: BadInput;
  expected: SniffedFormat;
}

describe('sniffFormat', () => {
  const cases: TestData[] = [
    { file: 'truncated.jpg', expected: 'jpeg' },
    { file: 'text.jpg', expected: 'unknown' },
    { file: 'empty.jpg', expected: 'unknown' },
    { file: 'random.bin', expected: 'unknown' },
    { file: 'drawing.svg', expected: 'svg' },
    { file: 'drawing-named.png', expected: 'svg' },
    { file: 'document.pdf', expected: 'pdf' },
    { file: 'bitmap.bmp', expected: 'bmp' },
    { file: 'bomb.png', expected: 'png' },
    { file: 'no_time_for_that_tiny.gif', expected: 'gif' },
    { file: 'animated.webp', expected: 'webp' },
    { file: 'multipage_rgb.tif', expected: 'tiff' },
    { file: 'multipage.tif', expected: 'tiff' },
  ];
  it.each(cases)('reads $file as $expected', ({ file, expected }) => {
    expect(sniffFormat(readBadFixture(file))).toBe(expected);
  });

  it('tells AVIF from HEIC by the ftyp brands', async () => {
    const avif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .avif({ effort: 0 })
      .toBuffer();
    expect(sniffFormat(avif)).toBe('avif');
    const heic = Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
    ]);
    expect(sniffFormat(heic)).toBe('heif');
  });

  it('finds an SVG root after an XML prolog and comments', () => {
    const svg =
      '\uFEFF<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(sniffFormat(Buffer.from(svg))).toBe('svg');
    expect(sniffFormat(Buffer.from('<html><body>not an image</body></html>'))).toBe('unknown');
  });
});
