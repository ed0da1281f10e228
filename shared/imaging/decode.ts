import type { Metadata } from 'sharp';
import sharp from 'sharp';
import type { EngineImage, RawPixels } from '../engines/engine.js';
import { EngineError } from '../errors.js';
import { NORMALIZED_PNG } from './load.js';
import { configureSharp } from './sharp-setup.js';
import { sniffFormat } from './sniff.js';

const PASS_THROUGH = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/** Options of {@link decodeEngineImage}. */
interface DecodeOptions {
  maxPixels?: number | undefined;
  source?: string | undefined;
  declared?: string | undefined;
}

/**
 * Verifies and measures the bytes an engine returned. PNG, JPEG and WebP without an EXIF
 * rotation are kept byte for byte; anything else that decodes (GIF, TIFF, AVIF, a rotated
 * JPEG) is normalised to PNG like an input.
 * Engine replies are treated like uploads: the type is sniffed from the bytes (SVG and PDF are
 * refused, never rendered) and, with `maxPixels`, the pixel count is read from the header and
 * refused before anything is decoded.
 * @param bytes what the engine returned
 * @param options.maxPixels the most pixels accepted (the pipeline passes `MAX_INPUT_PIXELS`)
 * @param options.source who returned the bytes, for messages (default "The engine")
 * @param options.declared the MIME type the engine declared, kept in error details
 * @returns the image with its real MIME type and dimensions
 * @throws EngineError `ENGINE_BAD_OUTPUT` when the bytes are not a complete raster image, or too large
 */
export async function decodeEngineImage(
  bytes: Buffer,
  options: DecodeOptions & {
    /**
     * The decoded pixels, when the engine drew them itself (the local engine): the header must then
     * describe exactly these pixels, and the bytes are not decoded again.
     */
    pixels?: RawPixels | undefined;
  } = {},
): Promise<EngineImage> {
  configureSharp();
  const source = options.source ?? 'The engine';
  const declared = options.declared !== undefined ? { declared: options.declared } : {};
  const format = sniffFormat(bytes);
  if (format === 'unknown' || format === 'svg' || format === 'pdf' || format === 'bmp') {
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `${source} returned ${bytes.length} bytes that are not a raster image (${format}).`,
      {
        details: { format, bytes: bytes.length, ...declared },
      },
    );
  }
  const meta = await sharp(bytes)
    .metadata()
    .catch((cause: unknown) => {
      throw new EngineError(
        'ENGINE_BAD_OUTPUT',
        `${source} returned a ${format.toUpperCase()} whose header cannot be read`,
        {
          cause,
          details: { format, bytes: bytes.length, ...declared },
        },
      );
    });
  const pixels = (meta.width ?? 0) * (meta.height ?? 0) * (meta.pages ?? 1);
  if (options.maxPixels !== undefined && pixels > options.maxPixels) {
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `${source} returned a ${meta.width}×${meta.height} ${format.toUpperCase()}${(meta.pages ?? 1) > 1 ? ` of ${meta.pages} frames` : ''} (${pixels} pixels), over MAX_INPUT_PIXELS (${options.maxPixels}); it was not decoded.`,
      { details: { format, width: meta.width, height: meta.height, pixels, ...declared } },
    );
  }
  const mimeType = format in PASS_THROUGH ? PASS_THROUGH[format as keyof typeof PASS_THROUGH] : undefined;
  if (options.pixels)
    return _withDrawnPixels(bytes, { meta, mimeType, pixels: options.pixels, source, format });
  try {
    if (mimeType && (meta.orientation ?? 1) === 1 && (meta.pages ?? 1) === 1) {
      // A full decode proves the data is complete (a header alone can precede a truncated body).
      // Reading only the last row still decodes every row before it, without stats()'s per-pixel
      // statistics: ~4× less CPU on 12 MP (bench/, docs/performance.md).
      await sharp(bytes, { failOn: 'error' })
        .extract({ left: 0, top: meta.height - 1, width: meta.width, height: 1 })
        .raw()
        .toBuffer();
      return { data: bytes, mimeType, width: meta.width, height: meta.height };
    }
    const { data, info } = await sharp(bytes, { failOn: 'error', autoOrient: true, pages: 1 })
      .toColourspace('srgb')
      .png(NORMALIZED_PNG)
      .toBuffer({ resolveWithObject: true });
    return { data, mimeType: 'image/png', width: info.width, height: info.height };
  } catch (err) {
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `${source} returned a ${format.toUpperCase()} that cannot be decoded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      { cause: err, details: { format, bytes: bytes.length, ...declared } },
    );
  }
}

/**
 * An image whose pixels the engine drew and handed over with their encoding: kept with them when its
 * header (a pass-through type, upright, one frame) describes exactly those pixels.
 */
function _withDrawnPixels(
  bytes: Buffer,
  drawn: { meta: Metadata; mimeType: string | undefined; pixels: RawPixels; source: string; format: string },
): EngineImage {
  const { meta, mimeType, pixels } = drawn;
  const matches =
    mimeType !== undefined &&
    (meta.orientation ?? 1) === 1 &&
    (meta.pages ?? 1) === 1 &&
    meta.width === pixels.width &&
    meta.height === pixels.height &&
    meta.channels === pixels.channels &&
    pixels.data.length === pixels.width * pixels.height * pixels.channels;
  if (!matches) {
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `${drawn.source} returned a ${meta.width}×${meta.height} ${drawn.format.toUpperCase()} with ${meta.channels} channels that does not describe the ${pixels.width}×${pixels.height} pixels (${pixels.channels} channels) it handed over`,
      { details: { format: drawn.format, width: meta.width, height: meta.height, channels: meta.channels } },
    );
  }
  return { data: bytes, mimeType, width: pixels.width, height: pixels.height, pixels };
}
