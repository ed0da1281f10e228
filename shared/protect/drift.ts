import { colourDistance } from '../subject/index.js';

/** How far the model moved or changed the product, measured inside the product's mask. */
export interface DriftFigures {
  /** Share of the mask's interior where the output's colour is within 30 of the product's. */
  maskOverlap: number;
  /** (1 − mean SSIM of luminance over 8×8 blocks inside the mask) / 2: 0 same, 0.5 unrelated, 1 inverted. */
  structuralDifference: number;
}

/** Colour distance under which an output pixel still shows the product's own colour. */
const SAME_COLOUR = 30;
const BLOCK = 8;

/**
 * Compares the output with the product where the product should be.
 * @param output RGB(A) pixels of the model's output, the canvas size
 * @param product RGB pixels of the product laid out on the canvas
 * @param alpha the product's mask on the canvas (255 inside)
 */
export function measureDrift(options: {
  output: Buffer;
  outputChannels: number;
  product: Buffer;
  alpha: Buffer;
  width: number;
  height: number;
}): DriftFigures {
  const { output, outputChannels: oc, product, alpha, width, height } = options;
  let inside = 0;
  let same = 0;
  for (let i = 0; i < width * height; i++) {
    if (alpha[i] !== 255) continue;
    inside++;
    const d = colourDistance(
      output[i * oc] as number,
      output[i * oc + 1] as number,
      output[i * oc + 2] as number,
      product[i * 3] as number,
      product[i * 3 + 1] as number,
      product[i * 3 + 2] as number,
    );
    if (d <= SAME_COLOUR) same++;
  }
  const lum = (buf: Buffer, ch: number, i: number) =>
    0.2126 * (buf[i * ch] as number) +
    0.7152 * (buf[i * ch + 1] as number) +
    0.0722 * (buf[i * ch + 2] as number);
  let ssimSum = 0;
  let blocks = 0;
  for (let by = 0; by + BLOCK <= height; by += BLOCK) {
    for (let bx = 0; bx + BLOCK <= width; bx += BLOCK) {
      const a: number[] = [];
      const b: number[] = [];
      for (let y = by; y < by + BLOCK; y++) {
        for (let x = bx; x < bx + BLOCK; x++) {
          const i = y * width + x;
          if (alpha[i] !== 255) continue;
          a.push(lum(output, oc, i));
          b.push(lum(product, 3, i));
        }
      }
      if (a.length < (BLOCK * BLOCK) / 2) continue;
      ssimSum += _ssim(a, b);
      blocks++;
    }
  }
  const meanSsim = blocks === 0 ? 1 : ssimSum / blocks;
  return {
    maskOverlap: inside === 0 ? 1 : same / inside,
    structuralDifference: Math.min(1, Math.max(0, (1 - meanSsim) / 2)),
  };
}

/** SSIM of two equally long samples (the usual constants for 8-bit data). */
function _ssim(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let va = 0;
  let vb = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    va += da * da;
    vb += db * db;
    cov += da * db;
  }
  va /= n;
  vb /= n;
  cov /= n;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  return ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
}
