import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedIccInWebp } from '../../../shared/imaging/icc-webp.js';
import { srgbProfile } from '../../../shared/imaging/srgb-profile.js';
import { pattern } from './pixels.js';

/** The RIFF chunks of a WebP file: type and payload size. */
function chunks(data: Buffer): { type: string; size: number }[] {
  const found: { type: string; size: number }[] = [];
  for (let offset = 12; offset < data.length; ) {
    const size = data.readUInt32LE(offset + 4);
    found.push({ type: data.toString('latin1', offset, offset + 4), size });
    offset += 8 + size + (size & 1);
  }
  return found;
}

let icc: Buffer;
let simple: Buffer;

beforeAll(async () => {
  icc = (await srgbProfile()).icc;
  simple = await pattern(37, 21).webp().toBuffer();
});

describe('embedIccInWebp', () => {
  it('turns a simple file into an extended one: VP8X with the ICC flag and the canvas size, then ICCP', async () => {
    const out = embedIccInWebp(simple, icc);
    expect(chunks(simple).map((c) => c.type)).toEqual(['VP8 ']);
    expect(chunks(out)).toEqual([
      { type: 'VP8X', size: 10 },
      { type: 'ICCP', size: icc.length },
      { type: 'VP8 ', size: chunks(simple)[0]?.size },
    ]);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect(out.readUInt8(20) & 0x20).toBe(0x20);
    expect([out.readUIntLE(24, 3) + 1, out.readUIntLE(27, 3) + 1]).toEqual([37, 21]);
  });

  it('sets the ICC flag in an existing VP8X and keeps its other flags', async () => {
    const extended = await pattern(37, 21, 4).webp().toBuffer();
    const flags = extended.readUInt8(20);
    const out = embedIccInWebp(extended, icc);
    expect(out.readUInt8(20)).toBe(flags | 0x20);
    expect(chunks(out).map((c) => c.type)).toEqual(['VP8X', 'ICCP', 'ALPH', 'VP8 ']);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
  });

  it('pads an odd-sized profile to an even chunk and the file still reads', async () => {
    const odd = Buffer.concat([icc, Buffer.from([0])]);
    const out = embedIccInWebp(simple, odd);
    expect(out.length % 2).toBe(0);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect((await sharp(out).metadata()).icc?.equals(odd)).toBe(true);
    expect((await sharp(out).raw().toBuffer()).equals(await sharp(simple).raw().toBuffer())).toBe(true);
  });

  it('throws on a wrong RIFF size or a truncated file rather than writing a broken one', () => {
    const wrongSize = Buffer.from(simple);
    wrongSize.writeUInt32LE(simple.length, 4);
    expect(() => embedIccInWebp(wrongSize, icc)).toThrow(/RIFF size/);
    const truncated = Buffer.from(simple.subarray(0, simple.length - 10));
    truncated.writeUInt32LE(truncated.length - 8, 4);
    expect(() => embedIccInWebp(truncated, icc)).toThrow(/file ends/);
  });

  it('throws on a file whose first chunk is not an image header', () => {
    const odd = Buffer.from(simple);
    odd.write('ABCD', 12, 'latin1');
    expect(() => embedIccInWebp(odd, icc)).toThrow(/VP8X, VP8 or VP8L but found ABCD/);
  });
});
