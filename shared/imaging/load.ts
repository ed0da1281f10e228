import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { type EngineImage, keepsPixels, type RawPixels } from '../engines/engine.js';
import { InputImageError } from '../errors.js';
import { configureSharp, sharpCanRead } from './sharp-setup.js';
import { type SniffedFormat, sniffFormat } from './sniff.js';
import { pixelImage } from './stored-png.js';
import { tiffHasFloatSamples } from './tiff-samples.js';

/** Input limits, from `shared/config.ts` (`MAX_INPUT_BYTES`, `MAX_INPUT_PIXELS`, `MIN_INPUT_SIDE`). */
export interface ImageLimits {
  maxBytes: number;
  /** Width × height of the first frame, read from the header before any pixel is decoded. */
  maxPixels: number;
  /** Shortest side, after EXIF orientation (which never changes it). */
  minSide: number;
}

/** What the input was before normalisation. */
export interface SourceInfo {
  format: SniffedFormat;
  width: number;
  height: number;
  bytes: number;
  pages: number;
  hasAlpha: boolean;
  space?: string;
  depth?: string;
  orientation?: number;
}

/** How {@link loadImage} encodes the normalised PNG. */
export interface LoadOptions {
  /**
   * true when no generative engine will be sent the PNG (a job of local stages only, or none):
   * an image that carries its decoded pixels then gets an uncompressed PNG, made only when something
   * reads `data` (local stages and outputs read the pixels), instead of a compression (~45 ms per
   * 1.2 MP photo). Every reader of the pixels gets the same ones (docs/performance.md).
   */
  storedPng?: boolean | undefined;
}

/** A decoded, normalised input image. */
export interface LoadedImage {
  /** PNG, sRGB, 8 bits per channel, EXIF orientation applied, first frame, alpha kept when present. */
  image: EngineImage;
  source: SourceInfo;
  /** Things the user should know (first frame of an animation used, bit depth reduced, …). */
  warnings: string[];
  /** The source ICC profile, when it had one. */
  icc?: Buffer;
}

/**
 * The PNG settings for normalised images: fast, because they are intermediate, not final.
 * zlib level 1 without adaptive filtering; docs/imaging.md has the measurements.
 */
export const NORMALIZED_PNG = { compressionLevel: 1, adaptiveFiltering: false } as const;

/**
 * Normalised images with a longer side than this are stored as uncompressed PNG (zlib level 0).
 * No engine sends an image that large unchanged (the largest input side any engine sends is
 * 3072 px, Gemini at 4K), so the PNG only lives in memory and is decoded again a few times; on
 * 12 MP level 0 encodes in ~0.15 s of CPU instead of ~0.6 s and decodes ~2× faster, for a buffer
 * 10–50% larger (docs/performance.md).
 */
export const STORED_PNG_MIN_SIDE = 3072;

/** An uncompressed PNG (zlib level 0): for normalised images no engine is sent compressed. */
const STORED_PNG = { compressionLevel: 0, adaptiveFiltering: false } as const;

/**
 * The PNG settings for normalising an image of this size (see {@link STORED_PNG_MIN_SIDE}).
 * @param width width after EXIF orientation
 * @param height height after EXIF orientation
 * @returns sharp `png()` options
 */
export function normalizedPngFor(width: number, height: number) {
  return Math.max(width, height) > STORED_PNG_MIN_SIDE ? STORED_PNG : NORMALIZED_PNG;
}

const _REFUSED: Partial<Record<SniffedFormat, string>> = {
  svg: 'SVG files are refused, never rendered (a vector file can reference other files and hide huge sizes)',
  pdf: 'PDF files are refused, never rendered',
  heif: 'HEIC/HEIF photos are not supported here (no HEVC decoder)',
  bmp: 'BMP is not supported',
};

const ALWAYS_READABLE = ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const;

/**
 * The input formats this build accepts, by sniffed name. AVIF needs libheif with an AV1
 * decoder (prebuilt sharp has both). HEIC (HEIF with HEVC) is refused: prebuilt sharp
 * ships no HEVC decoder, so such files would only fail later with a vaguer message.
 */
export function supportedInputFormats(): SniffedFormat[] {
  const formats: SniffedFormat[] = ALWAYS_READABLE.filter((f) => sharpCanRead(f));
  if (sharpCanRead('heif')) formats.push('avif');
  return formats;
}

/**
 * Checks, decodes and normalises an input image. Limits are enforced before decoding:
 * byte size first, then the pixel count from the header, so decompression bombs cost
 * a header parse. SVG and PDF are refused, never rendered.
 * @param bytes the uploaded file
 * @param limits byte, pixel and minimum-side limits
 * @param options how to encode the normalised PNG ({@link LoadOptions})
 * @returns the normalised image, what the source was, and warnings
 * @throws InputImageError with code IMAGE_EMPTY, IMAGE_TOO_LARGE, IMAGE_NOT_AN_IMAGE,
 *   IMAGE_UNSUPPORTED_FORMAT, IMAGE_CORRUPT, IMAGE_TOO_MANY_PIXELS or IMAGE_TOO_SMALL
 * @example const { image, warnings } = await loadImage(bytes, { maxBytes: 50e6, maxPixels: 50e6, minSide: 256 });
 */
export async function loadImage(
  bytes: Buffer,
  limits: ImageLimits,
  options: LoadOptions = {},
): Promise<LoadedImage> {
  configureSharp();
  if (bytes.length === 0) {
    throw new InputImageError('IMAGE_EMPTY', 'The file is empty (0 bytes). Upload the image again.');
  }
  if (bytes.length > limits.maxBytes) {
    throw new InputImageError(
      'IMAGE_TOO_LARGE',
      `The file has ${bytes.length} bytes; the limit is ${limits.maxBytes} (MAX_INPUT_BYTES). Export it smaller or with stronger compression.`,
      { details: { bytes: bytes.length, maxBytes: limits.maxBytes } },
    );
  }
  const format = _checkFormat(bytes);
  const meta = await _readHeader(bytes, format);
  const source = _describe(format, bytes.length, meta);
  _checkDimensions(source, limits);

  const warnings = _warnings(source);
  let decoded: { data: Buffer; info: OutputInfo; pixels?: RawPixels | undefined } | { image: EngineImage };
  try {
    const image = sharp(bytes, {
      failOn: 'error',
      limitInputPixels: limits.maxPixels,
      autoOrient: true,
      pages: 1,
      page: 0,
    }).toColourspace('srgb');
    decoded = !keepsPixels(source)
      ? await image.png(normalizedPngFor(source.width, source.height)).toBuffer({ resolveWithObject: true })
      : options.storedPng
        ? await _decodeToPixelImage(image)
        : await _decodeKeepingPixels(image);
  } catch (err) {
    throw _decodeError(format, err);
  }
  const loaded: LoadedImage = {
    image:
      'image' in decoded
        ? decoded.image
        : {
            data: decoded.data,
            mimeType: 'image/png',
            width: decoded.info.width,
            height: decoded.info.height,
            ...(decoded.pixels ? { pixels: decoded.pixels } : {}),
          },
    source,
    warnings,
  };
  if (meta.icc) loaded.icc = meta.icc;
  return loaded;
}

// ---- internal helpers ----

/**
 * Decodes once to raw pixels and encodes the normalised PNG from them: the same pixels as
 * encoding it directly (the PNG carries no pHYs density chunk, which nothing reads).
 */
async function _decodeKeepingPixels(
  image: Sharp,
): Promise<{ data: Buffer; info: OutputInfo; pixels?: RawPixels | undefined }> {
  const raw = await image.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = raw.info;
  const png = await sharp(raw.data, { raw: { width, height, channels } })
    .png(NORMALIZED_PNG)
    .toBuffer({ resolveWithObject: true });
  if (channels !== 3 && channels !== 4) return png;
  return { ...png, pixels: { data: raw.data, width, height, channels } };
}

/**
 * Decodes once to raw pixels, for an image no generative engine is sent: its (uncompressed) PNG is
 * made only if something reads it (`pixelImage`).
 */
async function _decodeToPixelImage(
  image: Sharp,
): Promise<{ image: EngineImage } | { data: Buffer; info: OutputInfo }> {
  const raw = await image.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = raw.info;
  if (channels !== 3 && channels !== 4) {
    return sharp(raw.data, { raw: { width, height, channels } })
      .png(STORED_PNG)
      .toBuffer({ resolveWithObject: true });
  }
  return { image: pixelImage({ data: raw.data, width, height, channels }) };
}

function _supportedList(): string {
  return supportedInputFormats()
    .map((f) => f.toUpperCase().replace('WEBP', 'WebP'))
    .join(', ');
}

function _checkFormat(bytes: Buffer): SniffedFormat {
  const format = sniffFormat(bytes);
  if (format === 'unknown') {
    throw new InputImageError(
      'IMAGE_NOT_AN_IMAGE',
      `The file is not an image, whatever its name says (its first bytes match no image format). Upload a ${_supportedList()} file.`,
    );
  }
  if (!supportedInputFormats().includes(format)) {
    const kind =
      format === 'svg' || format === 'pdf'
        ? `${format.toUpperCase()} files are refused, never rendered`
        : `${format.toUpperCase()} is not supported`;
    throw new InputImageError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `${kind}. Convert the image to one of: ${_supportedList()}.`,
      { details: { format, supported: supportedInputFormats() } },
    );
  }
  return format;
}

async function _readHeader(bytes: Buffer, format: SniffedFormat): Promise<Metadata> {
  try {
    // Header only: no pixel is decoded here, so no pixel limit is needed yet.
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    if (format === 'tiff' && tiffHasFloatSamples(bytes)) {
      throw _decodeError(format, new Error('floating-point samples are not supported'), err);
    }
    throw _decodeError(format, err);
  }
}

function _describe(format: SniffedFormat, length: number, meta: Metadata): SourceInfo {
  // For animations and multi-page files, `height` may be the whole strip; a page is `pageHeight`.
  const height = meta.pageHeight ?? meta.height;
  const rotated = (meta.orientation ?? 1) >= 5;
  const source: SourceInfo = {
    format,
    width: rotated ? height : meta.width,
    height: rotated ? meta.width : height,
    bytes: length,
    pages: meta.pages ?? 1,
    hasAlpha: meta.hasAlpha,
    space: meta.space,
    depth: meta.depth,
  };
  if (meta.orientation !== undefined) source.orientation = meta.orientation;
  return source;
}

function _checkDimensions(source: SourceInfo, limits: ImageLimits): void {
  const pixels = source.width * source.height;
  if (pixels > limits.maxPixels) {
    throw new InputImageError(
      'IMAGE_TOO_MANY_PIXELS',
      `The image is ${source.width}×${source.height} (${pixels} pixels); the limit is ${limits.maxPixels} (MAX_INPUT_PIXELS). Downscale it before uploading.`,
      { details: { width: source.width, height: source.height, maxPixels: limits.maxPixels } },
    );
  }
  const side = Math.min(source.width, source.height);
  if (side < limits.minSide) {
    throw new InputImageError(
      'IMAGE_TOO_SMALL',
      `The image is ${source.width}×${source.height}; edits need at least ${limits.minSide} px on the shortest side (MIN_INPUT_SIDE). Upscale it first, or start from a larger original.`,
      { details: { width: source.width, height: source.height, minSide: limits.minSide } },
    );
  }
}

function _warnings(source: SourceInfo): string[] {
  const warnings: string[] = [];
  if (source.pages > 1) {
    const what = source.format === 'tiff' ? 'multi-page TIFF' : `animated ${source.format.toUpperCase()}`;
    const unit = source.format === 'tiff' ? 'pages' : 'frames';
    warnings.push(`${what}: only the first of ${source.pages} ${unit} is used`);
  }
  if (source.depth && source.depth !== 'uchar' && source.depth !== 'char') {
    warnings.push(`${source.depth} samples reduced to 8 bits per channel`);
  }
  if (source.space === 'cmyk') warnings.push('CMYK converted to sRGB');
  return warnings;
}

const UNSUPPORTED_VARIANT = /unsupported|not supported|samples out of range|no decoder|unknown compression/i;

function _decodeError(format: SniffedFormat, err: unknown, cause: unknown = err): InputImageError {
  const reason = (err instanceof Error ? err.message.split('\n')[0] : undefined) ?? String(err);
  if (/pixel limit/i.test(reason)) {
    return new InputImageError(
      'IMAGE_TOO_MANY_PIXELS',
      `The image has more pixels than MAX_INPUT_PIXELS allows (${reason}). Downscale it before uploading.`,
      { cause },
    );
  }
  // libvips has one error buffer per process: a TIFF decoder's complaint can surface in another
  // file's error under concurrency, so it only counts for a TIFF.
  if (UNSUPPORTED_VARIANT.test(reason) && (format === 'tiff' || !/tiff/i.test(reason))) {
    return new InputImageError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `This ${format.toUpperCase()} uses a variant that cannot be decoded (${reason}). Re-save it as 8- or 16-bit RGB in one of: ${_supportedList()}.`,
      { cause, details: { format } },
    );
  }
  return new InputImageError(
    'IMAGE_CORRUPT',
    `The ${format.toUpperCase()} file is truncated or corrupt (${reason}). Upload it again, or re-export it from the original.`,
    { cause, details: { format } },
  );
}
