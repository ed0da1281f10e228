import { InputImageError } from '../../errors.js';
import { fitForEngine } from '../../imaging/index.js';
import type { EngineImage } from '../engine.js';
import type { GeminiModelProfile } from './models.js';

/**
 * Longest side sent to the model, by requested output size. The model redraws the whole image at
 * its output size, so input pixels beyond the output's long side (1K is up to 1584 px wide at 21:9)
 * add request bytes and input tokens but no detail.
 */
export const INPUT_SIDE_BY_IMAGE_SIZE: Readonly<Record<string, number>> = {
  '512': 1024,
  '1K': 1536,
  '2K': 2048,
  '4K': 3072,
};

/** Images already this small (and within the side limit, in a type every model takes) are sent as they are. */
export const PASS_THROUGH_MAX_BYTES = 2 * 1024 * 1024;
/** JPEG/WebP quality of re-encoded images. */
export const REENCODE_QUALITY = 90;

const ACCEPTED_MIME_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** What was sent for one image, recorded in the stage's lineage as `details.sent[]`. */
export interface SentImage {
  /** Position in the prompt: 1 is the stage input, 2 the first reference, … */
  image: number;
  width: number;
  height: number;
  bytes: number;
  mimeType: string;
  /** False when the original bytes were sent unchanged. */
  reencoded: boolean;
  original: { width: number; height: number; bytes: number; mimeType: string };
}

/** An image ready to be sent as an `inlineData` part. */
export interface PreparedImage {
  data: Buffer;
  mimeType: string;
  sent: SentImage;
}

/**
 * The default longest side for a stage.
 * @param profile the model's profile
 * @param imageSize the stage's `imageSize`, if any
 */
export function defaultMaxInputSide(profile: GeminiModelProfile, imageSize: string | undefined): number {
  return INPUT_SIDE_BY_IMAGE_SIZE[imageSize ?? profile.defaultImageSize] ?? 1536;
}

/**
 * Fits an image for the model (`fitForEngine`): downscaled to a longest side and re-encoded (JPEG,
 * or WebP when it has real transparency), stepping the size down until it fits the model's
 * per-image byte limit; sent as it is when it already fits, in a type every model takes.
 * @param image the image as the pipeline holds it
 * @param options `image` is its 1-based position in the prompt
 * @throws InputImageError (IMAGE_CORRUPT) when the bytes cannot be decoded
 */
export async function prepareImage(
  image: EngineImage,
  options: { image: number; maxSide: number; maxBytes: number },
): Promise<PreparedImage> {
  const original = {
    width: image.width,
    height: image.height,
    bytes: image.data.length,
    mimeType: image.mimeType,
  };
  const fitted = await fitForEngine(image, {
    maxSide: options.maxSide,
    accepted: ACCEPTED_MIME_TYPES,
    encodeAs: 'jpeg-or-webp',
    quality: REENCODE_QUALITY,
    passThroughMaxBytes: PASS_THROUGH_MAX_BYTES,
    maxBytes: options.maxBytes,
  }).catch((err: unknown) => {
    throw new InputImageError('IMAGE_CORRUPT', `Image ${options.image} could not be decoded for the model`, {
      cause: err,
    });
  });
  const sent = fitted.image;
  return {
    data: sent.data,
    mimeType: sent.mimeType,
    sent: {
      image: options.image,
      width: sent.width,
      height: sent.height,
      bytes: sent.data.length,
      mimeType: sent.mimeType,
      reencoded: fitted.reencoded,
      original,
    },
  };
}
