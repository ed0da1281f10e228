import { NO_COLOUR, nearestOpaque, type SubjectMask } from '../../subject/index.js';
import {
  blurLinear,
  type Frame,
  frameToLinear,
  frameToSharp,
  joinAlpha,
  linearToFrame,
  sharpToFrame,
  splitAlpha,
} from './pixels.js';

/**
 * How much lighter than the product just inside its edge an edge pixel may be. Above it the pixel
 * still carries backdrop colour, which shows as a light outline on a dark scene.
 */
const EDGE_LIGHTEN_LIMIT = 6;

/**
 * The subject's own colours on its soft edges: an edge pixel is a blend of subject and backdrop,
 * so the backdrop colour is taken out again, and no edge pixel stays lighter than the subject's
 * own colour just inside it (no light outline or notch when the subject lands on a dark scene,
 * also for cut-outs that were matted on white before they were saved with alpha).
 * @returns an RGBA frame: decontaminated colours, the mask as alpha
 */
export function cutOut(frame: Frame, mask: SubjectMask): Frame {
  const { rgb } = splitAlpha(frame);
  const n = frame.width * frame.height;
  const out = Buffer.allocUnsafe(n * 4);
  const bg = mask.background;
  const near = nearestOpaque({
    alpha: mask.alpha,
    rgb: rgb.data,
    channels: 3,
    width: frame.width,
    height: frame.height,
  });
  for (let i = 0; i < n; i++) {
    const a = mask.alpha[i] as number;
    const edge = a > 0 && a < 255 && near[i * 3] !== NO_COLOUR;
    for (let c = 0; c < 3; c++) {
      let v = rgb.data[i * 3 + c] as number;
      if (bg && a > 12 && a < 243) {
        const k = a / 255;
        v = Math.max(0, Math.min(255, Math.round((v - (1 - k) * (bg[c] as number)) / k)));
      }
      out[i * 4 + c] = edge ? Math.min(v, (near[i * 3 + c] as number) + EDGE_LIGHTEN_LIMIT) : v;
    }
    out[i * 4 + 3] = a;
  }
  return { data: out, width: frame.width, height: frame.height, channels: 4 };
}

/** Blur radius of a background blur, relative to the image's long side (1.2% at strength 1). */
export function bokehSigma(width: number, height: number, strength: number): number {
  return Math.max(1.5, Math.max(width, height) * 0.012 * Math.min(2.5, Math.max(0.3, strength)));
}

/**
 * Blurs the background behind the subject in linear light. The blur is normalised by the
 * background's own weight, so the subject's colours do not bleed into the bokeh as a halo.
 */
export async function blurBackground(frame: Frame, mask: SubjectMask, strength: number): Promise<Frame> {
  const { rgb, alpha } = splitAlpha(frame);
  const { width, height } = rgb;
  const lin = frameToLinear(rgb);
  const n = width * height;
  const weighted = new Uint16Array(n * 3);
  const weight = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const w = 255 - (mask.alpha[i] as number);
    weight[i] = w * 257;
    for (let c = 0; c < 3; c++) weighted[i * 3 + c] = Math.round(((lin[i * 3 + c] as number) * w) / 255);
  }
  const sigma = bokehSigma(width, height, strength);
  const [blurred, blurredWeight] = await Promise.all([
    blurLinear(weighted, { width, height, channels: 3 }, sigma),
    blurLinear(weight, { width, height, channels: 1 }, sigma),
  ]);
  const out = new Uint16Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = (mask.alpha[i] as number) / 255;
    const w = (blurredWeight[i] as number) / 65535;
    for (let c = 0; c < 3; c++) {
      const sharpValue = lin[i * 3 + c] as number;
      const back = w > 0.02 ? Math.min(65535, (blurred[i * 3 + c] as number) / w) : sharpValue;
      out[i * 3 + c] = Math.round(a * sharpValue + (1 - a) * back);
    }
  }
  const result = linearToFrame(out, width, height, 3);
  return joinAlpha(result, alpha);
}

/**
 * Puts a new background behind the subject: the background image is scaled to cover the frame
 * (centred crop), optionally blurred, and the subject composited over it in linear light.
 */
export async function replaceBackground(
  frame: Frame,
  mask: SubjectMask,
  background: Frame,
  options: { blurStrength?: number | undefined } = {},
): Promise<Frame> {
  const { width, height } = frame;
  let back = await sharpToFrame(
    frameToSharp(background).removeAlpha().resize(width, height, { fit: 'cover', position: 'centre' }),
  );
  if (options.blurStrength !== undefined) {
    const sigma = bokehSigma(width, height, options.blurStrength);
    back = linearToFrame(
      await blurLinear(frameToLinear(back), { width, height, channels: 3 }, sigma),
      width,
      height,
      3,
    );
  }
  return compositeOver(back, cutOut(frame, mask), { left: 0, top: 0 });
}

/**
 * Composites an RGBA layer over an RGB frame in linear light, at a position.
 * @returns a new RGB frame the size of `base`
 */
export function compositeOver(base: Frame, layer: Frame, at: { left: number; top: number }): Frame {
  const lin = frameToLinear(base);
  const { rgb, alpha } = splitAlpha(layer);
  const top = frameToLinear(rgb);
  for (let y = 0; y < layer.height; y++) {
    const by = y + at.top;
    if (by < 0 || by >= base.height) continue;
    for (let x = 0; x < layer.width; x++) {
      const bx = x + at.left;
      if (bx < 0 || bx >= base.width) continue;
      const li = y * layer.width + x;
      const a = alpha ? (alpha[li] as number) / 255 : 1;
      if (a === 0) continue;
      const bi = (by * base.width + bx) * 3;
      for (let c = 0; c < 3; c++) {
        lin[bi + c] = Math.round(a * (top[li * 3 + c] as number) + (1 - a) * (lin[bi + c] as number));
      }
    }
  }
  return linearToFrame(lin, base.width, base.height, 3);
}

/** Flattens any alpha onto white (scenes and backgrounds are opaque). */
export async function opaque(frame: Frame): Promise<Frame> {
  if (frame.channels === 3) return frame;
  return sharpToFrame(frameToSharp(frame).flatten({ background: '#ffffff' }));
}
