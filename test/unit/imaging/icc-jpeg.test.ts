import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedIccInJpeg } from '../../../shared/imaging/icc-jpeg.js';
import { srgbProfile } from '../../../shared/imaging/srgb-profile.js';
import { pattern } from './pixels.js';

interface Segment {
  marker: number;
  payload: Buffer;
}

/** The marker segments of a JPEG before its first scan. */
function segments(data: Buffer): Segment[] {
  const found: Segment[] = [];
  for (let offset = 2; data.readUInt8(offset + 1) !== 0xda; ) {
    const length = data.readUInt16BE(offset + 2);
    found.push({
      marker: data.readUInt8(offset + 1),
      payload: data.subarray(offset + 4, offset + 2 + length),
    });
    offset += 2 + length;
  }
  return found;
}

const XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>';

let icc: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  icc = (await srgbProfile()).icc;
  jpeg = await pattern(37, 21).jpeg().withXmp(XMP).toBuffer();
});

describe('embedIccInJpeg', () => {
  it('writes one APP2 ICC_PROFILE segment, 1 of 1, after the leading APP1', () => {
    const out = embedIccInJpeg(jpeg, icc);
    const found = segments(out);
    expect(found.map((s) => s.marker.toString(16)).slice(0, 3)).toEqual(['e1', 'e2', 'db']);
    const app2 = found[1]?.payload ?? Buffer.alloc(0);
    expect(app2.toString('latin1', 0, 12)).toBe('ICC_PROFILE\0');
    expect([app2.readUInt8(12), app2.readUInt8(13)]).toEqual([1, 1]);
    expect(app2.subarray(14).equals(icc)).toBe(true);
    expect(out.length).toBe(jpeg.length + 2 + 2 + 14 + icc.length);
  });

  it('inserts after a JFIF APP0 segment', () => {
    const app0 = Buffer.from('ffe000104a46494600010100000100010000', 'hex');
    const jfif = Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
    const out = embedIccInJpeg(jfif, icc);
    expect(
      segments(out)
        .map((s) => s.marker.toString(16))
        .slice(0, 3),
    ).toEqual(['e0', 'e1', 'e2']);
  });

  it('splits a profile larger than one segment into numbered segments that read back whole', async () => {
    const large = Buffer.concat([icc, Buffer.alloc(150_000, 7)]);
    const out = embedIccInJpeg(jpeg, large);
    const app2 = segments(out).filter((s) => s.marker === 0xe2);
    expect(app2.map((s) => [s.payload.readUInt8(12), s.payload.readUInt8(13)])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect((await sharp(out).metadata()).icc?.equals(large)).toBe(true);
    expect((await sharp(out).raw().toBuffer()).length).toBe(37 * 21 * 3);
  });

  it('throws on a file that ends before its first scan', () => {
    expect(() => embedIccInJpeg(jpeg.subarray(0, 200), icc)).toThrow(/file ends|marker/);
  });

  it('throws on a file that does not start with SOI', () => {
    expect(() => embedIccInJpeg(jpeg.subarray(2), icc)).toThrow(/SOI/);
  });
});
