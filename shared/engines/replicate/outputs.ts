import sharp, { type Metadata } from 'sharp';
import { EngineError } from '../../errors.js';
import type { EngineImage } from '../engine.js';
import type { ReplicateApi } from './api.js';
import type { Prediction } from './api-types.js';
import type { Budget } from './http-client.js';

/** A succeeded prediction's output → one verified image. */

const KEPT_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/**
 * The output URIs of a prediction: models answer one URI or an array of URIs.
 * @returns the URIs, possibly empty
 */
export function outputUris(prediction: Prediction): string[] {
  const { output } = prediction;
  const list = Array.isArray(output) ? output : [output];
  return list.filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/**
 * Downloads the first output and checks that it decodes as an image.
 * @returns the image and warnings (extra outputs dropped, format converted)
 * @throws EngineError `ENGINE_NO_IMAGE`, `ENGINE_OUTPUT_EXPIRED` or `ENGINE_BAD_OUTPUT`
 */
export async function fetchOutputImage(options: {
  prediction: Prediction;
  model: string;
  api: ReplicateApi;
  budget: Budget;
}): Promise<{ image: EngineImage; url: string; warnings: string[] }> {
  const { prediction, model } = options;
  const uris = outputUris(prediction);
  const first = uris[0];
  if (!first) {
    const removed = prediction.data_removed === true;
    throw new EngineError(
      removed ? 'ENGINE_OUTPUT_EXPIRED' : 'ENGINE_NO_IMAGE',
      removed
        ? `Replicate: prediction ${prediction.id} (${model}) succeeded but its output was removed`
        : `Replicate: prediction ${prediction.id} (${model}) succeeded without an output`,
      { details: { predictionId: prediction.id } },
    );
  }
  const warnings =
    uris.length > 1 ? [`${model} returned ${uris.length} images; the first one is kept`] : ([] as string[]);
  const { data, contentType } = await options.api.download(first, options.budget);
  const bad = (why: string, cause?: unknown) =>
    new EngineError(
      'ENGINE_BAD_OUTPUT',
      `Replicate: output of prediction ${prediction.id} (${model}) ${why} (${contentType ?? 'no content type'}, ${data.length} bytes)`,
      { cause, details: { predictionId: prediction.id, url: first } },
    );
  // Never handed to a renderer: SVG (XML) and PDF are refused from their first bytes.
  const head = data.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('<') || head.startsWith('%PDF')) throw bad('is SVG/XML or PDF, not a raster image');
  let meta: Metadata;
  try {
    meta = await sharp(data).metadata();
  } catch (err) {
    throw bad('is not an image', err);
  }
  if (!meta.width || !meta.height || !meta.format) throw bad('is not an image');
  if (!KEPT_FORMATS[meta.format]) {
    // Not decoded here: the pipeline verifies every engine reply (pixel cap first) and normalises it.
    warnings.push(`${model} answered ${meta.format}; converted to PNG`);
  }
  const mimeType = KEPT_FORMATS[meta.format] ?? `image/${meta.format}`;
  return { image: { data, mimeType, width: meta.width, height: meta.height }, url: first, warnings };
}
