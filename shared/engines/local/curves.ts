import { type Frame, linearToSrgb, srgbToLinear } from './pixels.js';

/** A tone curve on code values scaled to 0…1. */
export type Curve = (v: number) => number;

/** Per-channel curves: red, green, blue. */
export type ChannelCurves = readonly [Curve, Curve, Curve];

const _identity: Curve = (v) => v;

/** The same curve on every channel. */
export function allChannels(curve: Curve): ChannelCurves {
  return [curve, curve, curve];
}

/**
 * Colour temperature as a white-balance gain in linear light.
 * @param amount positive warms (more red, less blue), negative cools; 1 ≈ +1000 K
 */
export function temperatureCurves(amount: number): ChannelCurves {
  const gains = [1 + 0.1 * amount, 1 + 0.01 * amount, 1 - 0.16 * amount];
  return gains.map(
    (g) => (v: number) => linearToSrgb(srgbToLinear(v) * Math.max(0.2, g)),
  ) as unknown as ChannelCurves;
}

/**
 * Exposure as a gamma-like lift or fall of the midtones in the perceptual (sRGB) domain:
 * blacks and whites stay put, so nothing clips.
 * @param amount positive brightens, negative darkens; 1 ≈ +0.6 EV at mid grey
 */
export function exposureCurve(amount: number): Curve {
  const exponent = amount >= 0 ? 1 / (1 + 0.45 * amount) : 1 + 0.45 * -amount;
  return (v) => v ** exponent;
}

/**
 * Contrast around a pivot in the perceptual domain: a sigmoid for more, a linear squeeze for less.
 * Blacks and whites stay put.
 * @param amount positive adds contrast, negative removes it
 * @param pivot the tone that stays put (default mid grey); pass the image's median so a low-key or
 *   high-key photograph gets its contrast where its tones are (see {@link medianTone})
 */
export function contrastCurve(amount: number, pivot = 0.5): Curve {
  const p = Math.min(MAX_PIVOT, Math.max(MIN_PIVOT, pivot));
  if (amount < 0) {
    const k = Math.max(0.3, 1 - 0.3 * -amount);
    return (v) => p + (v - p) * k;
  }
  const gain = 5 * amount;
  if (gain < 0.01) return _identity;
  const sig = (x: number) => 1 / (1 + Math.exp(gain * (0.5 - x)));
  const lo = sig(0);
  const hi = sig(1);
  // The pivot is stretched to 0.5, the symmetric S-curve applied there, and the result mapped
  // back, so the pivot, black and white all stay where they are.
  const toMid = (v: number) => (v < p ? (0.5 * v) / p : 0.5 + (0.5 * (v - p)) / (1 - p));
  const fromMid = (t: number) => (t < 0.5 ? 2 * t * p : p + (t - 0.5) * 2 * (1 - p));
  return (v) => fromMid((sig(toMid(v)) - lo) / (hi - lo));
}

/**
 * The median tone of a frame (luma of its code values, 0…1), from a 256-bin histogram.
 * @param frame an RGB frame
 */
export function medianTone(frame: Frame): number {
  const counts = new Uint32Array(256);
  const d = frame.data;
  for (let i = 0; i + 2 < d.length; i += 3) {
    const luma = Math.round(
      0.2126 * (d[i] as number) + 0.7152 * (d[i + 1] as number) + 0.0722 * (d[i + 2] as number),
    );
    counts[luma] = (counts[luma] as number) + 1;
  }
  const half = d.length / 3 / 2;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v] as number;
    if (seen >= half) return v / 255;
  }
  return 0.5;
}

// A pivot near 0 or 1 would flatten the sigmoid to a one-sided push; these keep both ends moving.
const MIN_PIVOT = 0.1;
const MAX_PIVOT = 0.9;

/**
 * Matte/faded film: lifted blacks, softened whites.
 * @param amount 1 lifts black to about 8% grey
 */
export function matteCurve(amount: number): Curve {
  const lift = Math.min(0.2, 0.08 * amount);
  const drop = Math.min(0.1, 0.04 * amount);
  return (v) => lift + v * (1 - lift - drop);
}

/**
 * Split toning by channel curves: shadows pushed toward teal, highlights toward orange.
 * @param amount 1 = a clear but not garish grade
 */
export function tealOrangeCurves(amount: number): ChannelCurves {
  const s = (v: number) => (1 - v) ** 2 * v * 4;
  const h = (v: number) => v ** 2 * (1 - v) * 4;
  const k = 0.12 * amount;
  return [
    (v) => v - k * s(v) + k * h(v),
    (v) => v + 0.25 * k * s(v) + 0.1 * k * h(v),
    (v) => v + k * s(v) - 1.2 * k * h(v),
  ];
}

/** Curves chained: `then` applied after `first`, channel by channel. */
export function chainCurves(first: ChannelCurves, then: ChannelCurves): ChannelCurves {
  return [(v) => then[0](first[0](v)), (v) => then[1](first[1](v)), (v) => then[2](first[2](v))];
}

/** Applies per-channel curves to an RGB frame through 8-bit lookup tables (one pass). */
export function applyCurves(frame: Frame, curves: ChannelCurves): Frame {
  const luts = curves.map((curve) => {
    const lut = new Uint8Array(256);
    for (let v = 0; v < 256; v++) lut[v] = Math.round(Math.min(1, Math.max(0, curve(v / 255))) * 255);
    return lut;
  });
  const [lr, lg, lb] = luts as [Uint8Array, Uint8Array, Uint8Array];
  const src = frame.data;
  const out = Buffer.allocUnsafe(src.length);
  for (let i = 0; i < src.length; i += 3) {
    out[i] = lr[src[i] as number] as number;
    out[i + 1] = lg[src[i + 1] as number] as number;
    out[i + 2] = lb[src[i + 2] as number] as number;
  }
  return { ...frame, data: out };
}
