import sharp, { type Sharp } from 'sharp';
import type { EngineImage } from '../engines/engine.js';
import { configureSharp } from './sharp-setup.js';

/** Options of {@link fitForEngine}; each engine keeps its values as named constants. */
export interface EngineInputOptions {
  /** Longest side sent; images are never enlarged. */
  maxSide: number;
  /** MIME types the engine takes as they are. */
  accepted: ReadonlySet<string>;
  /**
   * How a re-encoded image is written: `jpeg-or-webp` (JPEG on white, WebP when it has real
   * transparency), or `same` (its own type when accepted, otherwise PNG).
   */
  encodeAs: 'jpeg-or-webp' | 'same';
  /** JPEG/WebP quality of re-encoded images. */
  quality: number;
  /** Images larger than this are re-encoded even when they fit; default no limit. */
  passThroughMaxBytes?: number | undefined;
  /** The side steps down (×0.75, not below 256 px) until the encoded image is this small; default no limit. */
  maxBytes?: number | undefined;
}

/** The side never goes below this when stepping down to fit `maxBytes`. */
const MIN_STEP_SIDE = 256;
const STEP = 0.75;

/**
 * Fits an image for an engine's request: sent as it is when it is within the longest side, of an
 * accepted type and small enough; otherwise auto-oriented, downscaled (`fit: inside`) and
 * re-encoded, stepping the side down until it fits `maxBytes`.
 * @param image the image as the pipeline holds it
 * @param options the engine's limits
 * @returns the image to send, and whether it was re-encoded
 * @throws the decoder's error when the bytes cannot be decoded (engines give it their own code)
 * @example
 * const { image: sent } = await fitForEngine(input, {
 *   maxSide: 1536, accepted: new Set(['image/jpeg', 'image/png']), encodeAs: 'same', quality: 92,
 * });
 */
export async function fitForEngine(
  image: EngineImage,
  options: EngineInputOptions,
): Promise<{ image: EngineImage; reencoded: boolean }> {
  const longest = Math.max(image.width, image.height);
  const small = image.data.length <= (options.passThroughMaxBytes ?? Number.POSITIVE_INFINITY);
  if (longest <= options.maxSide && options.accepted.has(image.mimeType) && small) {
    return { image, reencoded: false };
  }
  configureSharp();
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let side = Math.min(options.maxSide, longest);
  for (;;) {
    const encoded = await _encode(image, side, options);
    if (encoded.data.length <= maxBytes || side <= MIN_STEP_SIDE) return { image: encoded, reencoded: true };
    side = Math.floor(side * STEP);
  }
}

// ── internal ──────────────────────────────────────────────────────────────

async function _encode(image: EngineImage, side: number, options: EngineInputOptions): Promise<EngineImage> {
  const resized = sharp(image.data).rotate().resize({
    width: side,
    height: side,
    fit: 'inside',
    withoutEnlargement: true,
  });
  const { pipeline, mimeType } = await _format(resized, image.mimeType, options);
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { data, mimeType, width: info.width, height: info.height };
}

async function _format(
  resized: Sharp,
  mimeType: string,
  options: EngineInputOptions,
): Promise<{ pipeline: Sharp; mimeType: string }> {
  const { quality } = options;
  if (options.encodeAs === 'same') {
    const kept = options.accepted.has(mimeType) ? mimeType : 'image/png';
    if (kept === 'image/jpeg') return { pipeline: resized.jpeg({ quality }), mimeType: kept };
    if (kept === 'image/webp') return { pipeline: resized.webp({ quality }), mimeType: kept };
    return { pipeline: resized.png(), mimeType: 'image/png' };
  }
  const { hasAlpha } = await resized.clone().metadata();
  const translucent = hasAlpha === true && !(await resized.clone().stats()).isOpaque;
  if (translucent) return { pipeline: resized.webp({ quality }), mimeType: 'image/webp' };
  return {
    pipeline: resized.flatten({ background: '#ffffff' }).jpeg({ quality }),
    mimeType: 'image/jpeg',
  };
}
