import type { SentImage } from './inputs.js';
import type { ReplicatePrice } from './profiles.js';

/** Lineage facts of a Replicate run: model reference, cost estimate, what was sent. */

const VERSION_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The model reference recorded in lineage: `owner/name@version`, where an official model run
 * through the models endpoint (version hidden by Replicate) is `owner/name@official`.
 * @example modelRef('nightmareai/real-esrgan', '42fe…', undefined) // 'nightmareai/real-esrgan@42fe…'
 */
export function modelRef(
  model: string,
  pinned: string | undefined,
  reported: string | null | undefined,
): string {
  const version = pinned ?? (reported && VERSION_PATTERN.test(reported) ? reported : 'official');
  return `${model}@${version}`;
}

/**
 * Estimated cost in US dollars: the per-image price, or `predict_time` × the hardware's per-second price.
 * @returns the estimate, or undefined when a per-second model reported no predict time
 */
export function estimateCostUsd(price: ReplicatePrice, predictTime: number | undefined): number | undefined {
  if (price.kind === 'per-image') return price.usd;
  if (predictTime === undefined) return undefined;
  return Math.round(predictTime * price.usd * 1e6) / 1e6;
}

/**
 * The model input as lineage keeps it: image URIs replaced by a short description
 * (a data URL is the image itself, and nothing in it belongs in Firestore).
 */
export function sanitizedInput(
  input: Record<string, unknown>,
  imageField: string,
  sent: SentImage[],
): Record<string, unknown> {
  if (!(imageField in input)) return { ...input };
  const described = sent.map(
    (s) =>
      `image ${s.position + 1}: ${s.via === 'file' ? `file ${s.fileId}` : 'data URL'} ${s.mimeType} ${s.width}x${s.height}`,
  );
  return { ...input, [imageField]: Array.isArray(input[imageField]) ? described : described[0] };
}
