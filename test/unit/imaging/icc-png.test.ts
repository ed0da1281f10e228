import { crc32, inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedIccpChunk, iccpChunk, readIccpChunk } from '../../../shared/imaging/icc-png.js';
import { srgbProfile } from '../../../shared/imaging/srgb-profile.js';
import { pattern } from './pixels.js';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

/** Every chunk of a PNG file. */
function chunks(png: Buffer): Chunk[] {
  const found: Chunk[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    found.push({
      type: png.toString('latin1', offset + 4, offset + 8),
      data: png.subarray(offset + 8, offset + 8 + length),
      crc: png.readUInt32BE(offset + 8 + length),
    });
    offset += 12 + length;
  }
  return found;
}

let icc: Buffer;
let png: Buffer;

beforeAll(async () => {
  icc = (await srgbProfile()).icc;
  png = await pattern(37, 21, 4).png().toBuffer();
});

describe('iccpChunk', () => {
  it('holds the name, compression method 0 and the deflated profile, with the CRC over type and data', () => {
    const [chunk] = chunks(Buffer.concat([png.subarray(0, 8), iccpChunk(icc)]));
    expect(chunk?.type).toBe('iCCP');
    const data = chunk?.data ?? Buffer.alloc(0);
    const nul = data.indexOf(0);
    expect([data.toString('latin1', 0, nul), data.readUInt8(nul + 1)]).toEqual(['icc', 0]);
    expect(inflateSync(data.subarray(nul + 2)).equals(icc)).toBe(true);
    expect(chunk?.crc).toBe(crc32(Buffer.concat([Buffer.from('iCCP', 'latin1'), data])));
  });
});

describe('embedIccpChunk', () => {
  it('inserts the chunk right after IHDR; the file reads with the profile and the same pixels', async () => {
    const out = embedIccpChunk(png, iccpChunk(icc));
    expect(chunks(out).map((c) => c.type)).toEqual([
      'IHDR',
      'iCCP',
      ...chunks(png)
        .map((c) => c.type)
        .slice(1),
    ]);
    const meta = await sharp(out).metadata();
    expect(meta.icc?.equals(icc)).toBe(true);
    expect((await sharp(out).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true);
  });

  it('leaves a PNG with an sRGB chunk as it is (iCCP and sRGB exclude each other)', () => {
    const body = Buffer.from('sRGB\0', 'latin1');
    const srgb = Buffer.alloc(13);
    srgb.writeUInt32BE(1, 0);
    body.copy(srgb, 4);
    srgb.writeUInt32BE(crc32(body), 9);
    const declared = Buffer.concat([png.subarray(0, 33), srgb, png.subarray(33)]);
    expect(embedIccpChunk(declared, iccpChunk(icc))).toBe(declared);
  });

  it('throws on a truncated PNG and on a chunk that is not iCCP', () => {
    expect(() => embedIccpChunk(png.subarray(0, png.length - 1), iccpChunk(icc))).toThrow(/IEND/);
    expect(() => embedIccpChunk(png, Buffer.from('0000000049454e44ae426082', 'hex'))).toThrow(/iCCP/);
  });
});

describe('readIccpChunk', () => {
  it('returns the iCCP chunk byte for byte, or undefined without one', async () => {
    const chunk = iccpChunk(icc);
    expect(readIccpChunk(embedIccpChunk(png, chunk))?.equals(chunk)).toBe(true);
    expect(readIccpChunk(png)).toBeUndefined();
  });
});
