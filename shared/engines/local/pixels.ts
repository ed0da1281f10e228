import sharp, { type Sharp } from 'sharp';
import { embedSrgbProfile } from '../../imaging/index.js';
import type { EngineImage } from '../engine.js';

/**
 * Raw pixels the local engine works on: 8-bit sRGB, interleaved, RGB or RGBA.
 * Every operation takes and returns a frame; sharp decodes and encodes at the edges.
 */
export interface Frame {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Decodes an encoded image into an sRGB frame, keeping an alpha channel when there is one.
 * @throws Error from sharp when the bytes cannot be decoded
 */
export async function decodeFrame(bytes: Buffer): Promise<Frame> {
  const meta = await sharp(bytes).metadata();
  const image = sharp(bytes).toColourspace('srgb');
  const shaped = meta.hasAlpha ? image.ensureAlpha() : image.removeAlpha();
  const { data, info } = await shaped.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels === 4 ? 4 : 3 };
}

/**
 * The frame of an engine image: its decoded pixels when the image carries them (not copied: no
 * operation writes into a frame it was given, which test/unit/engines/local checks for every one),
 * else a decode of its bytes.
 * @throws Error from sharp when the bytes cannot be decoded
 */
export async function imageFrame(image: Pick<EngineImage, 'data' | 'pixels'>): Promise<Frame> {
  const pixels = image.pixels;
  if (!pixels) return decodeFrame(image.data);
  return { data: pixels.data, width: pixels.width, height: pixels.height, channels: pixels.channels };
}

/** A sharp pipeline reading a frame's raw pixels. */
export function frameToSharp(frame: Frame): Sharp {
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } });
}

/** Reads the raw result of a sharp pipeline back into a frame. */
export async function sharpToFrame(image: Sharp): Promise<Frame> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw new Error(`Expected 3 or 4 channels from sharp but received ${info.channels}`);
  }
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Fast lossless settings for the engine's PNG: zlib level 1 costs about half of level 6 on a photo
 * and its files are ~10% larger (bench/, docs/performance.md); the pixels are the same.
 */
export const ENGINE_PNG = { compressionLevel: 1, adaptiveFiltering: false } as const;

/**
 * The engine's PNG when it is only hashed and handed on in memory (`EngineRequest.fastEncoding`):
 * uncompressed and untagged, a copy of the pixels instead of a compression (~4 ms instead of ~37 ms
 * per 1.2 MP); nothing stores it or sends it anywhere.
 */
export const FAST_PNG = { compressionLevel: 0, adaptiveFiltering: false } as const;

/**
 * Encodes a frame as a PNG tagged with the sRGB profile, or, `fast`, as an uncompressed untagged one
 * ({@link FAST_PNG}). Same frame and setting, same bytes.
 */
export async function encodePng(frame: Frame, options: { fast?: boolean | undefined } = {}): Promise<Buffer> {
  if (options.fast) return frameToSharp(frame).png(FAST_PNG).toBuffer();
  // The profile is inserted into the PNG: the same bytes as sharp's withIccProfile('srgb'), without
  // its sRGB-to-sRGB transform of every pixel.
  return embedSrgbProfile(await frameToSharp(frame).png(ENGINE_PNG).toBuffer(), 'png');
}

/** Splits a frame into its RGB part and its alpha plane (undefined for RGB frames). */
export function splitAlpha(frame: Frame): { rgb: Frame; alpha: Buffer | undefined } {
  if (frame.channels === 3) return { rgb: frame, alpha: undefined };
  const n = frame.width * frame.height;
  const rgb = Buffer.allocUnsafe(n * 3);
  const alpha = Buffer.allocUnsafe(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgb[i * 3] = frame.data[j] as number;
    rgb[i * 3 + 1] = frame.data[j + 1] as number;
    rgb[i * 3 + 2] = frame.data[j + 2] as number;
    alpha[i] = frame.data[j + 3] as number;
  }
  return { rgb: { data: rgb, width: frame.width, height: frame.height, channels: 3 }, alpha };
}

/** Joins an RGB frame and an alpha plane (returns the RGB frame itself when alpha is undefined). */
export function joinAlpha(rgb: Frame, alpha: Buffer | undefined): Frame {
  if (!alpha) return rgb;
  const n = rgb.width * rgb.height;
  const out = Buffer.allocUnsafe(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = rgb.data[i * 3] as number;
    out[i * 4 + 1] = rgb.data[i * 3 + 1] as number;
    out[i * 4 + 2] = rgb.data[i * 3 + 2] as number;
    out[i * 4 + 3] = alpha[i] as number;
  }
  return { data: out, width: rgb.width, height: rgb.height, channels: 4 };
}

// ---------------------------------------------------------------------------------------------
// Linear light (16-bit) conversions, through lookup tables

let _toLinear: Uint16Array | undefined;
let _toSrgb: Uint8Array | undefined;

/** sRGB 8-bit code value → linear light in 0…65535. */
export function toLinearTable(): Uint16Array {
  if (!_toLinear) {
    _toLinear = new Uint16Array(256);
    for (let v = 0; v < 256; v++) _toLinear[v] = Math.round(srgbToLinear(v / 255) * 65535);
  }
  return _toLinear;
}

/** Linear light in 0…65535 → sRGB 8-bit code value. */
export function toSrgbTable(): Uint8Array {
  if (!_toSrgb) {
    _toSrgb = new Uint8Array(65536);
    for (let v = 0; v < 65536; v++) _toSrgb[v] = Math.round(linearToSrgb(v / 65535) * 255);
  }
  return _toSrgb;
}

/** The sRGB transfer function, decoding (0…1 → 0…1). */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** The sRGB transfer function, encoding (0…1 → 0…1). */
export function linearToSrgb(v: number): number {
  const c = Math.min(1, Math.max(0, v));
  return c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** Converts an 8-bit sRGB RGB frame to 16-bit linear light, same layout. */
export function frameToLinear(frame: Frame): Uint16Array {
  const lut = toLinearTable();
  const out = new Uint16Array(frame.data.length);
  for (let i = 0; i < out.length; i++) out[i] = lut[frame.data[i] as number] as number;
  return out;
}

/** Converts 16-bit linear light back to an 8-bit sRGB frame. */
export function linearToFrame(data: Uint16Array, width: number, height: number, channels: 3 | 4): Frame {
  const lut = toSrgbTable();
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = lut[data[i] as number] as number;
  return { data: out, width, height, channels };
}

/**
 * Gaussian blur of 16-bit linear data. Large radii are blurred at a reduced size and scaled
 * back, which keeps the cost of a 24 MP bokeh bounded (a blurred image has no detail to lose).
 */
export async function blurLinear(
  data: Uint16Array,
  size: { width: number; height: number; channels: 1 | 3 },
  sigma: number,
): Promise<Uint16Array> {
  if (sigma < 0.3) return data;
  const { width, height, channels } = size;
  const shrink = Math.max(1, Math.min(sigma / 3, Math.min(width, height) / 16));
  const space = channels === 1 ? 'grey16' : 'rgb16';
  let image = sharp(data, { raw: { width, height, channels } });
  if (shrink > 1.05) {
    const small = Math.max(1, Math.round(width / shrink));
    const smallH = Math.max(1, Math.round(height / shrink));
    const reduced = await image
      .resize(small, smallH, { kernel: 'linear', fit: 'fill' })
      .blur(Math.max(0.3, sigma / shrink))
      .toColourspace(space)
      .raw({ depth: 'ushort' })
      .toBuffer();
    image = sharp(new Uint16Array(reduced.buffer, reduced.byteOffset, reduced.length / 2), {
      raw: { width: small, height: smallH, channels },
    }).resize(width, height, { kernel: 'linear', fit: 'fill' });
  } else {
    image = image.blur(sigma);
  }
  const out = await image.toColourspace(space).raw({ depth: 'ushort' }).toBuffer();
  return new Uint16Array(out.buffer, out.byteOffset, out.length / 2);
}
