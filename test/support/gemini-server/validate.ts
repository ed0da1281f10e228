import sharp from 'sharp';
import { type GeminiRoute, type GoogleErrorReply, googleError, SERVED_MODELS } from './protocol.js';

/** An image the server received, decoded. */
export interface ReceivedImage {
  mimeType: string;
  data: Buffer;
  bytes: number;
  width: number;
  height: number;
}

/** A request body that passed validation. */
export interface ValidRequest {
  images: ReceivedImage[];
  text: string;
  generationConfig: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const INPUT_MIME = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const VERTEX_INLINE_LIMIT = 7 * 1024 * 1024;

/**
 * Validates a `generateContent` body the way the service does: JSON, non-empty `contents` of
 * `parts`, one data field per part, base64 that decodes to an image of an accepted type, the
 * model's image count, `imageSize`, `aspectRatio` and `thinkingLevel`.
 * @returns the decoded request, or the 400 Google would answer
 */
export async function validateRequest(
  raw: string,
  route: GeminiRoute,
): Promise<ValidRequest | GoogleErrorReply> {
  let body: Json;
  try {
    body = JSON.parse(raw) as Json;
  } catch {
    return googleError(400, 'Invalid JSON payload received. Unexpected token.');
  }
  const model = SERVED_MODELS[route.model];
  if (!model) return googleError(500, 'validateRequest called for an unknown model');
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return googleError(400, '* GenerateContentRequest.contents: contents is not specified');
  }
  const images: ReceivedImage[] = [];
  const texts: string[] = [];
  for (const [ci, content] of (contents as Json[]).entries()) {
    const parts = content.parts;
    if (!Array.isArray(parts) || parts.length === 0) {
      return googleError(
        400,
        `* GenerateContentRequest.contents[${ci}].parts: contents.parts must not be empty.`,
      );
    }
    for (const [pi, part] of (parts as Json[]).entries()) {
      const where = `contents[${ci}].parts[${pi}]`;
      const inline = (part.inlineData ?? part.inline_data) as Json | undefined;
      const fields = ['text', 'inlineData', 'inline_data', 'fileData', 'file_data'].filter((k) => k in part);
      if (fields.length !== 1) {
        return googleError(
          400,
          `* GenerateContentRequest.${where}.data: required oneof field 'data' must have one initialized field`,
        );
      }
      if (typeof part.text === 'string') {
        texts.push(part.text);
        continue;
      }
      if (!inline)
        return googleError(400, `* GenerateContentRequest.${where}: only inline data is supported here`);
      const checked = await _image(inline, where, route);
      if ('httpStatus' in checked) return checked;
      images.push(checked);
    }
  }
  if (images.length > model.maxImages) {
    return googleError(
      400,
      `Too many images in the request: ${images.length}; ${route.model} accepts at most ${model.maxImages}.`,
    );
  }
  const config = (body.generationConfig ?? body.generation_config ?? {}) as Json;
  const problem = _config(config, route.model);
  if (problem) return googleError(400, problem);
  return { images, text: texts.join('\n'), generationConfig: config };
}

// ── internal ──────────────────────────────────────────────────────────────

async function _image(
  inline: Json,
  where: string,
  route: GeminiRoute,
): Promise<ReceivedImage | GoogleErrorReply> {
  const mimeType = (inline.mimeType ?? inline.mime_type) as unknown;
  const data = inline.data;
  if (typeof mimeType !== 'string' || !INPUT_MIME.has(mimeType)) {
    return googleError(
      400,
      `* GenerateContentRequest.${where}.inline_data.mime_type: Unsupported MIME type: ${String(mimeType)}`,
    );
  }
  if (typeof data !== 'string' || data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) {
    return googleError(
      400,
      `Invalid value at '${where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed`,
    );
  }
  const bytes = Buffer.from(data, 'base64');
  if (route.backend === 'vertex' && bytes.length > VERTEX_INLINE_LIMIT) {
    return googleError(400, `${where}: inline image is ${bytes.length} bytes; the limit is 7 MB.`);
  }
  try {
    const meta = await sharp(bytes).metadata();
    return { mimeType, data: bytes, bytes: bytes.length, width: meta.width, height: meta.height };
  } catch {
    return googleError(
      400,
      'Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    );
  }
}

function _config(config: Json, modelId: string): string | undefined {
  const model = SERVED_MODELS[modelId];
  if (!model) return undefined;
  const image = (config.imageConfig ?? config.image_config ?? {}) as Json;
  const size = image.imageSize ?? image.image_size;
  // 2.5 Flash Image has a fixed output size and ignores imageSize rather than refusing it.
  if (size !== undefined && model.imageSizes.length > 0 && !model.imageSizes.includes(String(size))) {
    return `image_size must be one of [${model.imageSizes.join(', ')}], got "${String(size)}".`;
  }
  const ratio = image.aspectRatio ?? image.aspect_ratio;
  if (ratio !== undefined && !model.aspectRatios.includes(String(ratio))) {
    return `aspect_ratio must be one of [${model.aspectRatios.join(', ')}], got "${String(ratio)}".`;
  }
  const thinking = (config.thinkingConfig ?? config.thinking_config ?? {}) as Json;
  const level = thinking.thinkingLevel ?? thinking.thinking_level;
  if (level !== undefined && !model.thinkingLevels.includes(String(level))) {
    return `Thinking level ${String(level)} is not supported for this model.`;
  }
  const temperature = config.temperature;
  if (
    temperature !== undefined &&
    !(typeof temperature === 'number' && temperature >= 0 && temperature <= 2)
  ) {
    return '* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0]';
  }
  const seed = config.seed;
  if (seed !== undefined && !(Number.isInteger(seed) && Math.abs(seed as number) < 2 ** 31)) {
    return '* GenerateContentRequest.generation_config.seed: Invalid value, expected int32';
  }
  return undefined;
}
