import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { embedSrgbProfile, type ProfileContainer } from '../../../shared/imaging/index.js';
import { srgbProfile } from '../../../shared/imaging/srgb-profile.js';
import { pattern } from './pixels.js';

interface TestData {
  name: string;
  format: ProfileContainer;
  encode: (image: Sharp) => Sharp;
  channels: 3 | 4;
}

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';

const cases: TestData[] = [
  { name: 'lossy WebP with XMP (VP8X)', format: 'webp', encode: (i) => i.webp().withXmp(XMP), channels: 3 },
  { name: 'lossy WebP with alpha (VP8X, ALPH)', format: 'webp', encode: (i) => i.webp(), channels: 4 },
  { name: 'simple lossy WebP (VP8 only)', format: 'webp', encode: (i) => i.webp(), channels: 3 },
  {
    name: 'simple lossless WebP (VP8L only)',
    format: 'webp',
    encode: (i) => i.webp({ lossless: true }),
    channels: 3,
  },
  {
    name: 'simple lossless WebP with alpha',
    format: 'webp',
    encode: (i) => i.webp({ lossless: true }),
    channels: 4,
  },
  { name: 'JPEG with XMP (APP1)', format: 'jpeg', encode: (i) => i.jpeg().withXmp(XMP), channels: 3 },
  { name: 'JPEG', format: 'jpeg', encode: (i) => i.jpeg({ quality: 60 }), channels: 3 },
  { name: 'PNG with XMP', format: 'png', encode: (i) => i.png().withXmp(XMP), channels: 3 },
  { name: 'PNG with alpha', format: 'png', encode: (i) => i.png(), channels: 4 },
];

describe('srgbProfile', () => {
  it('is the profile sharp embeds for withIccProfile("srgb"), read once', async () => {
    const png = await pattern(2, 2).withIccProfile('srgb').png().toBuffer();
    const { icc } = await srgbProfile();
    expect(icc.equals((await sharp(png).metadata()).icc ?? Buffer.alloc(0))).toBe(true);
    expect(srgbProfile()).toBe(srgbProfile());
  });
});

describe('embedSrgbProfile', () => {
  it.each(cases)('writes the file sharp writes with withIccProfile("srgb") for a $name', async (data) => {
    const plain = await data.encode(pattern(37, 21, data.channels)).toBuffer();
    const expected = await data
      .encode(pattern(37, 21, data.channels))
      .withIccProfile('srgb')
      .toBuffer();
    const embedded = await embedSrgbProfile(plain, data.format);
    expect(embedded.equals(expected)).toBe(true);
    const [before, after] = [await sharp(plain).metadata(), await sharp(embedded).metadata()];
    expect(after.icc?.equals((await srgbProfile()).icc)).toBe(true);
    expect([after.format, after.width, after.height, after.channels, after.xmpAsString]).toEqual([
      before.format,
      before.width,
      before.height,
      before.channels,
      before.xmpAsString,
    ]);
    const decoded = await sharp(embedded).raw().toBuffer();
    expect(decoded.equals(await sharp(plain).raw().toBuffer())).toBe(true);
  });

  it.each(cases)('leaves a $name that already has a profile as it is', async (data) => {
    const withProfile = await data
      .encode(pattern(8, 8, data.channels))
      .withIccProfile('p3')
      .toBuffer();
    expect(await embedSrgbProfile(withProfile, data.format)).toBe(withProfile);
  });

  it.each<ProfileContainer>(['webp', 'jpeg', 'png'])('throws on bytes that are not %s', async (format) => {
    const other = format === 'png' ? 'jpeg' : 'png';
    const wrong = await pattern(8, 8)[other]().toBuffer();
    await expect(embedSrgbProfile(wrong, format)).rejects.toThrow(/^Expected/);
    await expect(embedSrgbProfile(Buffer.from('not an image at all'), format)).rejects.toThrow(/^Expected/);
    await expect(embedSrgbProfile(Buffer.alloc(0), format)).rejects.toThrow(/^Expected/);
  });
});
