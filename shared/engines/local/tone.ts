import { transformPlane } from '../../subject/index.js';
import {
  blurLinear,
  type Frame,
  frameToLinear,
  frameToSharp,
  linearToFrame,
  sharpToFrame,
  toLinearTable,
  toSrgbTable,
} from './pixels.js';

/**
 * Saturation in LCh (perceptual), through sharp.
 * @param factor 1 leaves colours, 1.4 is clearly more vivid, 0.6 clearly muted
 */
export async function saturate(frame: Frame, factor: number): Promise<Frame> {
  return sharpToFrame(frameToSharp(frame).modulate({ saturation: Math.max(0, factor) }));
}

/** Rec. 709 luminance weights, applied in linear light. */
const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * Black and white from linear-light luminance: the three channels come out equal.
 * @param amount 1 = fully monochrome; below 1 leaves some colour
 */
export function blackAndWhite(frame: Frame, amount = 1): Frame {
  const lin = toLinearTable();
  const enc = toSrgbTable();
  const k = Math.min(1, Math.max(0, amount));
  const src = frame.data;
  const out = Buffer.allocUnsafe(src.length);
  for (let i = 0; i < src.length; i += 3) {
    const r = lin[src[i] as number] as number;
    const g = lin[src[i + 1] as number] as number;
    const b = lin[src[i + 2] as number] as number;
    const y = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
    out[i] = enc[Math.round(y + (r - y) * (1 - k))] as number;
    out[i + 1] = enc[Math.round(y + (g - y) * (1 - k))] as number;
    out[i + 2] = enc[Math.round(y + (b - y) * (1 - k))] as number;
  }
  return { ...frame, data: out };
}

/**
 * Sepia: monochrome luminance toned brown in the shadows and mids, cream in the highlights.
 * @param amount 1 = full sepia; below 1 blends with black and white
 */
export function sepia(frame: Frame, amount = 1): Frame {
  const mono = blackAndWhite(frame, 1);
  const k = Math.min(1, Math.max(0, amount));
  const tone = [0.85, 1, 1.3].map((exp, c) => {
    const scale = [1, 0.96, 0.86][c] as number;
    const lut = new Uint8Array(256);
    for (let v = 0; v < 256; v++) {
      const toned = (v / 255) ** exp * scale * 255;
      lut[v] = Math.round(v + (toned - v) * k);
    }
    return lut;
  }) as [Uint8Array, Uint8Array, Uint8Array];
  const src = mono.data;
  for (let i = 0; i < src.length; i += 3) {
    const y = src[i] as number;
    src[i] = tone[0][y] as number;
    src[i + 1] = tone[1][y] as number;
    src[i + 2] = tone[2][y] as number;
  }
  return mono;
}

/**
 * Darkens toward the corners with a smooth radial falloff (multiplied in linear light).
 * @param amount 1 darkens the corners by about 45%
 */
export function vignette(frame: Frame, amount: number): Frame {
  const { width, height } = frame;
  const k = Math.min(0.9, 0.45 * amount);
  const steps = 4096;
  const factors = new Float32Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const r = Math.sqrt(i / steps);
    const t = Math.min(1, Math.max(0, (r - 0.35) / 0.65));
    factors[i] = 1 - k * t * t * (3 - 2 * t);
  }
  const lin = toLinearTable();
  const enc = toSrgbTable();
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const norm = 1 / (cx * cx + cy * cy || 1);
  const src = frame.data;
  const out = Buffer.allocUnsafe(src.length);
  for (let y = 0; y < height; y++) {
    const dy2 = (y - cy) ** 2;
    for (let x = 0; x < width; x++) {
      const f = factors[Math.round(((x - cx) ** 2 + dy2) * norm * steps)] as number;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++)
        out[i + c] = enc[Math.round((lin[src[i + c] as number] as number) * f)] as number;
    }
  }
  return { ...frame, data: out };
}

/** A small, fast, seedable PRNG (mulberry32). */
function _mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Monochrome film grain, strongest in the midtones; the seed fixes every grain.
 * Grain size follows the image size, so a 24 MP image looks like a 1 MP one, only finer.
 * @param amount 1 = visible grain (≈ 5% of full scale at mid grey)
 */
export async function filmGrain(frame: Frame, amount: number, seed: number): Promise<Frame> {
  const { width, height } = frame;
  const cell = Math.max(1, Math.round(Math.max(width, height) / 1600));
  const gw = Math.ceil(width / cell);
  const gh = Math.ceil(height / cell);
  const random = _mulberry32(seed);
  const noise = Buffer.allocUnsafe(gw * gh);
  for (let i = 0; i < noise.length; i++) {
    // Sum of four uniforms: close enough to Gaussian, cheap and bounded.
    const g = (random() + random() + random() + random() - 2) * 1.732;
    noise[i] = Math.max(0, Math.min(255, Math.round(128 + g * 40)));
  }
  const grain = await transformPlane(noise, { width: gw, height: gh }, (image) =>
    image.resize(width, height, { kernel: 'cubic', fit: 'fill' }).blur(0.5),
  );
  const k = (0.05 * 255 * Math.min(2.5, amount)) / 40;
  const weight = new Float32Array(256);
  for (let v = 0; v < 256; v++) weight[v] = k * (0.35 + 2.6 * (v / 255) * (1 - v / 255));
  const src = frame.data;
  const out = Buffer.allocUnsafe(src.length);
  for (let p = 0, i = 0; p < width * height; p++, i += 3) {
    const n = (grain[p] as number) - 128;
    for (let c = 0; c < 3; c++) {
      const v = src[i + c] as number;
      out[i + c] = Math.max(0, Math.min(255, Math.round(v + n * (weight[v] as number))));
    }
  }
  return { ...frame, data: out };
}

/**
 * Unsharp masking on the lightness channel (sharp works in LAB), radius scaled to the image.
 * @param amount 1 = a clear crispening
 */
export async function sharpen(frame: Frame, amount: number): Promise<Frame> {
  const sigma = Math.min(3, Math.max(0.7, Math.max(frame.width, frame.height) / 1500));
  return sharpToFrame(frameToSharp(frame).sharpen({ sigma, m1: 1, m2: 3 * amount, x1: 2, y2: 12, y3: 24 }));
}

/**
 * A soft-focus look: the image blended with a blurred copy of itself, in linear light.
 * @param amount 1 = clearly softer, detail still readable
 */
export async function soften(frame: Frame, amount: number): Promise<Frame> {
  const { width, height } = frame;
  const sigma = Math.max(1.2, Math.max(width, height) / 400) * Math.min(2, Math.max(0.5, amount));
  const lin = frameToLinear(frame);
  const blurred = await blurLinear(lin, { width, height, channels: 3 }, sigma);
  const mix = Math.min(0.9, 0.7 * amount);
  const out = new Uint16Array(lin.length);
  for (let i = 0; i < lin.length; i++)
    out[i] = Math.round((lin[i] as number) * (1 - mix) + (blurred[i] as number) * mix);
  return linearToFrame(out, width, height, 3);
}
