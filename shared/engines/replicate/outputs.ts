import { EngineError } from '../../errors.js';
import { sniffFormat } from '../../imaging/index.js';
import type { EngineImage, OutputCheck } from '../engine.js';
import type { ReplicateApi } from './api.js';
import type { Prediction } from './api-types.js';
import type { Budget } from './http-client.js';

/** A succeeded prediction's output → one verified image. */

/** Formats kept as they are; the output check normalises others to PNG. */
const KEPT_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'webp']);

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
 * Downloads the first output and runs the output check on it (type sniffed, SVG and PDF refused,
 * pixel cap from the header, then decoded).
 * @returns the checked image and warnings (extra outputs dropped, format converted)
 * @throws EngineError `ENGINE_NO_IMAGE`, `ENGINE_OUTPUT_EXPIRED` or `ENGINE_BAD_OUTPUT`
 */
export async function fetchOutputImage(options: {
  prediction: Prediction;
  model: string;
  api: ReplicateApi;
  budget: Budget;
  check: OutputCheck;
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
  const image = await options.check(
    { data, mimeType: contentType ?? 'application/octet-stream' },
    { source: `Replicate: output of prediction ${prediction.id} (${model})` },
  );
  const format = sniffFormat(data);
  if (!KEPT_FORMATS.has(format)) warnings.push(`${model} answered ${format}; converted to PNG`);
  return { image, url: first, warnings };
}
