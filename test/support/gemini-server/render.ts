import sharp from 'sharp';
import type { GeminiFault } from './faults.js';
import { OUTPUT_SIDE, SERVED_MODELS } from './protocol.js';
import type { ValidRequest } from './validate.js';

/** Corners where image 2, 3, 4 and 5 are pasted, in that order. */
const CORNERS = ['northwest', 'northeast', 'southwest', 'southeast'] as const;

/**
 * The server's "edit": image 1 inverted (negated) — or, for a `redraw` reply, kept, moved and/or
 * recoloured (see {@link GeminiFault}) — at the requested output size and aspect ratio,
 * with a thumbnail (a quarter of the width, not inverted) of image 2 in the top-left corner, image 3
 * in the top-right, and so on, and a 3×3 mark coloured from the seed in the bottom-right corner.
 * Deterministic for an (input, seed) pair, and shows which input went where.
 * @param request the validated request
 * @param model the model id (2.5 Flash has a fixed 1024 px output)
 * @returns the bytes (JPEG for the 3.x models, PNG for 2.5 Flash Image, as the service answers;
 *   see {@link outputMimeType}) and dimensions
 */
export async function renderEdit(
  request: ValidRequest,
  model: string,
  redraw?: { move?: { x: number; y: number } | undefined; hue?: number | undefined },
): Promise<{ data: Buffer; width: number; height: number }> {
  const [first, ...rest] = request.images;
  const image = (request.generationConfig.imageConfig ?? {}) as { imageSize?: string; aspectRatio?: string };
  const side = SERVED_MODELS[model]?.imageSizes.length
    ? (OUTPUT_SIDE[image.imageSize ?? '1K'] ?? 1024)
    : 1024;
  const [rw, rh] = (image.aspectRatio ?? '').split(':').map(Number);
  const ratio = rw && rh ? rw / rh : first ? first.width / first.height : 1;
  const width = Math.round(ratio >= 1 ? side : side * ratio);
  const height = Math.round(ratio >= 1 ? side / ratio : side);
  const base = !first
    ? sharp({ create: { width, height, channels: 3, background: '#808080' } })
    : redraw
      ? sharp(await _redrawn(first.data, width, height, redraw))
      : sharp(first.data).resize(width, height, { fit: 'cover' }).removeAlpha().negate();
  const thumbs = await Promise.all(
    rest.slice(0, CORNERS.length).map(async (ref, i) => ({
      input: await sharp(ref.data)
        .resize(Math.max(1, Math.floor(width / 4)), Math.max(1, Math.floor(height / 4)), { fit: 'inside' })
        .removeAlpha()
        .png()
        .toBuffer(),
      gravity: CORNERS[i],
    })),
  );
  // A real model's output depends on the seed: a 3×3 mark in the bottom-right corner, coloured
  // from the seed, makes two seeds give two different images without hiding anything else.
  const seed = Number(request.generationConfig.seed ?? 0) >>> 0;
  const mark = {
    input: await sharp({
      create: {
        width: 3,
        height: 3,
        channels: 3,
        background: { r: seed & 255, g: (seed >>> 8) & 255, b: (seed >>> 16) & 255 },
      },
    })
      .png()
      .toBuffer(),
    gravity: 'southeast' as const,
  };
  // Low compression and high quality: tests look at pixels, not at how small the file is.
  const composed = sharp(await base.png({ compressionLevel: 1 }).toBuffer()).composite([...thumbs, mark]);
  const data =
    outputMimeType(model) === 'image/jpeg'
      ? await composed.jpeg({ quality: 95 }).toBuffer()
      : await composed.png({ compressionLevel: 1 }).toBuffer();
  return { data, width, height };
}

/**
 * Image 1 kept (not negated) at the output size, its hue rotated by `hue` degrees, then translated
 * by `move` px with the uncovered strip filled with its top-left colour (the canvas' backdrop).
 */
async function _redrawn(
  data: Buffer,
  width: number,
  height: number,
  o: { move?: { x: number; y: number } | undefined; hue?: number | undefined },
): Promise<Buffer> {
  let kept = sharp(data).resize(width, height, { fit: 'cover' }).removeAlpha();
  if (o.hue) kept = kept.modulate({ hue: o.hue });
  const png = await kept.png({ compressionLevel: 1 }).toBuffer();
  const dx = Math.round(o.move?.x ?? 0);
  const dy = Math.round(o.move?.y ?? 0);
  if (dx === 0 && dy === 0) return png;
  const { data: raw } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const background = { r: raw[0] ?? 255, g: raw[1] ?? 255, b: raw[2] ?? 255 };
  const extended = await sharp(png)
    .extend({
      left: Math.max(dx, 0),
      right: Math.max(-dx, 0),
      top: Math.max(dy, 0),
      bottom: Math.max(-dy, 0),
      background,
    })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return sharp(extended)
    .extract({ left: Math.max(-dx, 0), top: Math.max(-dy, 0), width, height })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/**
 * What the service encodes its output as: the 3.x image models (3 Pro Image, 3.1 Flash Image)
 * answer JPEG, 2.5 Flash Image PNG (recorded replies; see docs/gemini.md).
 */
export function outputMimeType(model: string): 'image/jpeg' | 'image/png' {
  return model.startsWith('gemini-2.5-') ? 'image/png' : 'image/jpeg';
}

/** An interim "thought" image: flat magenta, so a test sees at once if it was taken. */
export async function renderThought(width: number, height: number, mimeType = 'image/png'): Promise<Buffer> {
  const flat = sharp({ create: { width, height, channels: 3, background: '#ff00ff' } });
  return (mimeType === 'image/jpeg' ? flat.jpeg() : flat.png()).toBuffer();
}

/**
 * `usageMetadata` as the service reports it for one image. The Gemini API lists only IMAGE under
 * `candidatesTokensDetails` and adds `serviceTier`; Vertex lists TEXT and IMAGE and adds
 * `trafficType`. A blocked or refused reply has no `candidatesTokenCount` at all.
 */
export function usageFor(
  request: ValidRequest,
  model: string,
  o: { backend: 'gemini-api' | 'vertex'; blocked?: boolean | undefined },
): Record<string, unknown> {
  const served = SERVED_MODELS[model];
  const size = ((request.generationConfig.imageConfig ?? {}) as { imageSize?: string }).imageSize ?? '1K';
  const imageTokens = served?.imageTokens[size] ?? served?.imageTokens['1K'] ?? 1290;
  const textIn = Math.ceil(request.text.split(/\s+/).filter(Boolean).length * 1.3);
  const imageIn = request.images.length * 560;
  const thoughts = served?.thinks ? 180 : 0;
  const textOut = 12;
  const tier = o.backend === 'vertex' ? { trafficType: 'ON_DEMAND' } : { serviceTier: 'standard' };
  const promptTokensDetails = [
    { modality: 'TEXT', tokenCount: textIn },
    { modality: 'IMAGE', tokenCount: imageIn },
  ];
  if (o.blocked) {
    return {
      promptTokenCount: textIn + imageIn,
      totalTokenCount: textIn + imageIn,
      promptTokensDetails,
      ...tier,
    };
  }
  const candidatesTokensDetails =
    o.backend === 'vertex'
      ? [
          { modality: 'TEXT', tokenCount: textOut },
          { modality: 'IMAGE', tokenCount: imageTokens },
        ]
      : [{ modality: 'IMAGE', tokenCount: imageTokens }];
  return {
    promptTokenCount: textIn + imageIn,
    candidatesTokenCount: imageTokens + textOut,
    totalTokenCount: textIn + imageIn + imageTokens + textOut + thoughts,
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails,
    candidatesTokensDetails,
    ...tier,
  };
}
