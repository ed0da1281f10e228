import sharp, { type Sharp } from 'sharp';
import type { EngineImage } from '../engines/engine.js';
import type { OutputFormat, OutputOptions } from '../request/index.js';
import { imagePipeline } from './image-source.js';
import { type Provenance, provenanceXmp } from './provenance.js';
import { type Shape, shapeFor } from './shape.js';
import { configureSharp } from './sharp-setup.js';
import { embedSrgbProfile } from './srgb-profile.js';

/** One encoded output file. */
export interface EncodedOutput {
  /** `final`, or the name of a size from `output.sizes`. */
  role: string;
  format: OutputFormat;
  /** File extension without the dot: `webp`, `jpg`, `png`, `avif`. */
  ext: string;
  mimeType: string;
  data: Buffer;
  width: number;
  height: number;
}

/** File extension and MIME type of each output format. */
export const FORMAT_FILES: Record<OutputFormat, { ext: string; mimeType: string }> = {
  webp: { ext: 'webp', mimeType: 'image/webp' },
  jpeg: { ext: 'jpg', mimeType: 'image/jpeg' },
  png: { ext: 'png', mimeType: 'image/png' },
  avif: { ext: 'avif', mimeType: 'image/avif' },
};

/** libaom effort for AVIF (0 fastest … 9 slowest). */
export const AVIF_EFFORT = 0;

/** One role to encode: a shape and the formats to write it in. */
interface Variant {
  role: string;
  shape: Shape;
  formats: OutputFormat[];
  quality: number;
}

/**
 * Encodes a job's result into every requested output: `final` in each of `options.formats`,
 * then each named size in its own formats (or the job's). Outputs are sRGB with an embedded
 * sRGB profile and carry the provenance as XMP; no EXIF from the source is ever written.
 * @param image the job's final image (normally a normalised PNG)
 * @param options the request's `output` section
 * @param provenance what to write into the files' XMP
 * @param _sourceIcc the source profile; accepted for the port, unused: outputs are always sRGB (docs/imaging.md)
 * @returns one output per (role, format), `final` first
 * @example await encodeOutputs(image, { ...defaults, formats: ['jpeg'], sizes: { thumb: { maxSize: 256 } } }, provenance)
 */
export async function encodeOutputs(
  image: EngineImage,
  options: OutputOptions,
  provenance: Provenance,
  _sourceIcc?: Buffer,
): Promise<EncodedOutput[]> {
  configureSharp();
  const variants = _variants(image, options);
  const xmp = provenanceXmp(provenance);
  const source = await _source(image, variants);
  const outputs: EncodedOutput[] = [];
  for (const variant of variants) {
    for (const format of variant.formats) {
      let pipeline = source();
      pipeline = _applyShape(pipeline, variant.shape);
      if (format === 'jpeg') pipeline = pipeline.flatten({ background: variant.shape.background });
      pipeline = _encoder(pipeline, format, variant.quality).withXmp(xmp);
      // The pixels are sRGB already. withIccProfile would also run a colour transform (sRGB to sRGB,
      // ≈ 8 ms per 1.2 MP; from Display P3 for 16-bit input), so only AVIF, whose box structure
      // embedSrgbProfile does not edit, goes through it.
      if (format === 'avif') pipeline = pipeline.withIccProfile('srgb');
      const { data: encoded, info } = await pipeline.toBuffer({ resolveWithObject: true });
      const data = format === 'avif' ? encoded : await embedSrgbProfile(encoded, format);
      outputs.push({
        role: variant.role,
        format,
        ...FORMAT_FILES[format],
        data,
        width: info.width,
        height: info.height,
      });
    }
  }
  return outputs;
}

// ---- internal helpers ----

/**
 * A factory of pipelines over the image. With several outputs the PNG is decoded once to raw
 * pixels that every output starts from; with one output, decoding straight into the encoder
 * saves copying the raw pixels.
 */
async function _source(image: EngineImage, variants: Variant[]): Promise<() => Sharp> {
  // Pixels the loader or the engine already decoded: every output starts from them.
  if (image.pixels) return () => imagePipeline(image);
  const count = variants.reduce((n, v) => n + v.formats.length, 0);
  // An uncompressed PNG (large normalised images, see STORED_PNG_MIN_SIDE) decodes about as fast
  // as raw pixels are copied; decoding it per output saves holding a raw copy (72 MB at 24 MP).
  if (count <= 1 || _isStoredPng(image)) return () => sharp(image.data).toColourspace('srgb');
  const { data, info } = await sharp(image.data)
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return () => sharp(data, { raw });
}

/** A PNG at least as large as its pixels: stored without compression. */
function _isStoredPng(image: EngineImage): boolean {
  return image.mimeType === 'image/png' && image.data.length >= image.width * image.height * 3;
}

function _variants(image: EngineImage, options: OutputOptions): Variant[] {
  const variants: Variant[] = [
    { role: 'final', shape: shapeFor(image, options), formats: options.formats, quality: options.quality },
  ];
  for (const [name, size] of Object.entries(options.sizes ?? {})) {
    variants.push({
      role: name,
      shape: shapeFor(image, size),
      formats: size.formats ?? options.formats,
      quality: size.quality ?? options.quality,
    });
  }
  return variants;
}

function _applyShape(pipeline: Sharp, shape: Shape): Sharp {
  if (shape.kind === 'none') return pipeline;
  if (shape.kind === 'inside') {
    return pipeline.resize(shape.width, shape.height, {
      fit: 'inside',
      withoutEnlargement: shape.enlarge !== true,
    });
  }
  if (shape.kind === 'cover') {
    return pipeline.resize(shape.width, shape.height, { fit: 'cover', position: shape.position });
  }
  return pipeline.resize(shape.width, shape.height, { fit: 'contain', background: shape.background });
}

function _encoder(pipeline: Sharp, format: OutputFormat, quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      // mozjpeg's trellis quantisation saves ~15% bytes but costs ~8× the encode time (measured, 2.7 MP).
      return pipeline.jpeg({ quality });
    case 'webp':
      return pipeline.webp({ quality, effort: 4 });
    case 'avif':
      // sharp's default effort 4 took 2.6 s for 0.14 MP here; effort 0 is ~20× faster for ~5% more bytes.
      return pipeline.avif({ quality, effort: AVIF_EFFORT });
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
  }
}
