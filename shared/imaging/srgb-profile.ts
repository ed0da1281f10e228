/**
 * The sRGB ICC profile and embedding it into encoded files. sharp's `withIccProfile('srgb')`
 * runs a full colour transform from sRGB to sRGB on every output (≈ 8 ms of CPU per 1.2 MP,
 * pixels unchanged); the pipeline's pixels are sRGB already, so only the profile is written.
 */
import sharp from 'sharp';
import { embedIccInJpeg } from './icc-jpeg.js';
import { embedIccpChunk, readIccpChunk } from './icc-png.js';
import { embedIccInWebp } from './icc-webp.js';

/** The containers whose profile {@link embedSrgbProfile} adds to the encoded bytes. */
export type ProfileContainer = 'webp' | 'jpeg' | 'png';

/** The sRGB profile as libvips writes it. */
export interface SrgbProfile {
  /** The profile bytes (480 with sharp 0.35). */
  icc: Buffer;
  /** The PNG `iCCP` chunk libvips writes for it: its zlib compresses the profile differently from Node's. */
  iccpChunk: Buffer;
}

let profile: Promise<SrgbProfile> | undefined;

/**
 * The sRGB profile libvips embeds for `withIccProfile('srgb')`, read once from a 1×1 PNG, so
 * files carry the very bytes they carried when sharp wrote them (PNG chunk included).
 * @returns the profile and its PNG chunk
 */
export function srgbProfile(): Promise<SrgbProfile> {
  profile ??= _readSrgbProfile().catch((error: unknown) => {
    profile = undefined;
    throw error;
  });
  return profile;
}

/**
 * Embeds the sRGB profile into an encoded file without re-encoding or transforming its pixels,
 * which must be sRGB already. A file that already has a profile is returned as it is.
 * @param data the encoded file
 * @param format its container
 * @returns the file with the profile
 * @throws Error when `data` is not a well-formed file of `format`
 * @example const png = await embedSrgbProfile(await frame.png().toBuffer(), 'png')
 */
export async function embedSrgbProfile(data: Buffer, format: ProfileContainer): Promise<Buffer> {
  const { icc, iccpChunk } = await srgbProfile();
  switch (format) {
    case 'webp':
      return embedIccInWebp(data, icc);
    case 'jpeg':
      return embedIccInJpeg(data, icc);
    case 'png':
      return embedIccpChunk(data, iccpChunk);
  }
}

// ---- internal helpers ----

async function _readSrgbProfile(): Promise<SrgbProfile> {
  const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer();
  const { icc } = await sharp(pixel).metadata();
  const iccpChunk = readIccpChunk(pixel);
  if (!icc || !iccpChunk) throw new Error('Expected sharp to embed an sRGB profile but the image has none');
  return { icc, iccpChunk };
}
