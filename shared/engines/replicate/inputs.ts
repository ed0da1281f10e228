import { fitForEngine } from '../../imaging/index.js';
import type { EngineImage } from '../engine.js';
import type { ReplicateApi } from './api.js';
import type { Budget } from './http-client.js';

/**
 * Input images → the URIs a model input takes: downscaled to the model's useful size,
 * then inlined as a data URL when small, or uploaded through the Files API.
 */

/** Replicate's advice: data URLs for files up to 256 kB, HTTP URLs above (reference §1, Inputs/files). */
export const DEFAULT_DATA_URL_MAX_BYTES = 256 * 1024;

/** What was sent for one image, recorded in lineage (never the bytes or the URL of a data URL). */
export interface SentImage {
  /** `input` (the stage input) or `reference` ("image 2", …). */
  role: 'input' | 'reference';
  /** Position in the model's image list (0 = the stage input). */
  position: number;
  via: 'data-url' | 'file';
  mimeType: string;
  bytes: number;
  width: number;
  height: number;
  /** The original size when the image was downscaled first. */
  resizedFrom?: { width: number; height: number } | undefined;
  /** The Files API id, when uploaded. */
  fileId?: string | undefined;
}

/** Types sent as they are; others are re-encoded as PNG. */
const SENDABLE: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp']);
/** JPEG/WebP quality of downscaled images. */
export const REENCODE_QUALITY = 92;

/**
 * @param options the images in model order (stage input first), size limits, API and budget
 * @returns the URI per image and what was sent
 */
export async function prepareImages(options: {
  images: EngineImage[];
  maxInputSide: number;
  dataUrlMaxBytes: number;
  api: ReplicateApi;
  budget: Budget;
}): Promise<{ uris: string[]; sent: SentImage[] }> {
  const uris: string[] = [];
  const sent: SentImage[] = [];
  for (const [position, original] of options.images.entries()) {
    const { image } = await fitForEngine(original, {
      maxSide: options.maxInputSide,
      accepted: SENDABLE,
      encodeAs: 'same',
      quality: REENCODE_QUALITY,
    });
    const record: SentImage = {
      role: position === 0 ? 'input' : 'reference',
      position,
      via: 'data-url',
      mimeType: image.mimeType,
      bytes: image.data.length,
      width: image.width,
      height: image.height,
      resizedFrom: image === original ? undefined : { width: original.width, height: original.height },
    };
    if (image.data.length <= options.dataUrlMaxBytes) {
      uris.push(`data:${image.mimeType};base64,${image.data.toString('base64')}`);
    } else {
      const extension = image.mimeType.split('/')[1] ?? 'bin';
      const file = await options.api.upload(
        { data: image.data, mimeType: image.mimeType, filename: `darkroom-image-${position}.${extension}` },
        options.budget,
      );
      uris.push(file.urls.get);
      record.via = 'file';
      record.fileId = file.id;
    }
    sent.push(record);
  }
  return { uris, sent };
}
