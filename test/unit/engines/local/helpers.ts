import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { EngineImage, EngineResult, StageParams, StagePlan } from '../../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../../shared/engines/local/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/local');

/** Fixture names in test/fixtures/local (see generate.ts there). */
export type FixtureName =
  | 'chelsea'
  | 'coffee'
  | 'brick'
  | 'product-on-white'
  | 'product-on-backdrop'
  | 'logo-alpha';

/** A fixture as an engine image. */
export async function fixture(name: FixtureName): Promise<EngineImage> {
  const data = await readFile(join(FIXTURES, `${name}.png`));
  const meta = await sharp(data).metadata();
  return { data, mimeType: 'image/png', width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** A stage plan for the local engine. */
export function stage(
  prompt: string,
  options: { referenceCount?: number; params?: Partial<StageParams> } = {},
): StagePlan {
  return {
    index: 0,
    name: 'test',
    prompt,
    referenceCount: options.referenceCount ?? 0,
    params: { seed: 42, ...options.params },
  };
}

/** Runs one edit with the local engine on fixtures (the first is image 1). */
export async function edit(
  prompt: string,
  images: FixtureName[],
  params: Partial<StageParams> = {},
): Promise<EngineResult<EngineImage>> {
  const [input, ...references] = await Promise.all(images.map(fixture));
  return createLocalEngine().edit({
    stage: stage(prompt, { referenceCount: references.length, params }),
    input: input as EngineImage,
    references,
  });
}

/** Decoded RGBA pixels with per-pixel measuring helpers. */
export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  /** [r, g, b, a] of a pixel. */
  at(x: number, y: number): [number, number, number, number];
}

/** Decodes an image to RGBA pixels. */
export async function pixels(image: Buffer | EngineImage): Promise<Pixels> {
  const bytes = Buffer.isBuffer(image) ? image : image.data;
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data,
    width: info.width,
    height: info.height,
    at(x, y) {
      const i = (y * info.width + x) * 4;
      return [data[i] as number, data[i + 1] as number, data[i + 2] as number, data[i + 3] as number];
    },
  };
}

/** Luminance (Rec. 709 weights on code values), 0…255. */
export function luma(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Statistics over the pixels for which `where(x, y)` holds (all by default). */
export function measure(p: Pixels, where: (x: number, y: number) => boolean = () => true) {
  const lum: number[] = [];
  let redMinusBlue = 0;
  let chroma = 0;
  let detail = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (!where(x, y)) continue;
      const [r, g, b] = p.at(x, y);
      lum.push(luma(r, g, b));
      redMinusBlue += r - b;
      chroma += Math.max(r, g, b) - Math.min(r, g, b);
      if (x + 1 < p.width) {
        const [r2, g2, b2] = p.at(x + 1, y);
        detail += Math.abs(luma(r, g, b) - luma(r2, g2, b2));
      }
    }
  }
  const n = lum.length;
  const mean = lum.reduce((a, v) => a + v, 0) / n;
  const stdev = Math.sqrt(lum.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  const sorted = [...lum].sort((a, b) => a - b);
  return {
    count: n,
    luminance: mean,
    stdev,
    p1: sorted[Math.floor(n * 0.01)] as number,
    p99: sorted[Math.floor(n * 0.99)] as number,
    redMinusBlue: redMinusBlue / n,
    chroma: chroma / n,
    /** Mean absolute luminance step between horizontal neighbours (texture, sharpness, grain). */
    detail: detail / n,
  };
}
