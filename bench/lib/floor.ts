import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { AVIF_EFFORT } from '../../shared/imaging/encode.js';
import type { OutputFormat } from '../../shared/request/output-schema.js';

/** One output file of the floor: a format, and a longest side when it is a smaller size. */
export interface FloorOutput {
  format: OutputFormat;
  maxSize?: number | undefined;
}

/** Options of {@link runFloor}. */
export interface FloorOptions {
  outputs: FloorOutput[];
  quality: number;
  /** Also encode a before/after sheet of this many panels (512 px high, JPEG 82, as the pipeline's). */
  comparePanels?: number | undefined;
}

const PANEL_HEIGHT = 512;
const GAP = 8;
const LABEL_HEIGHT = 56;

/**
 * The floor a job is measured against: sharp decoding the input once and encoding the
 * same image files with the same encoder settings as `encodeOutputs` (and, when asked, a
 * compare sheet of the same size and quality from the same pixels), and nothing else: no
 * normalisation, no verification, no storage, no lineage, no labels.
 * @returns the encoded files' total bytes
 */
export async function runFloor(input: Buffer, options: FloorOptions): Promise<number> {
  const single = options.outputs.length === 1 && !options.comparePanels;
  const source = single ? () => sharp(input) : await _rawSource(input);
  let bytes = 0;
  for (const out of options.outputs) {
    let pipeline = source();
    if (out.maxSize)
      pipeline = pipeline.resize(out.maxSize, out.maxSize, { fit: 'inside', withoutEnlargement: true });
    bytes += (await _encode(pipeline, out.format, options.quality).withIccProfile('srgb').toBuffer()).length;
  }
  if (options.comparePanels) bytes += (await _sheet(source, options.comparePanels)).length;
  return bytes;
}

async function _rawSource(input: Buffer): Promise<() => Sharp> {
  const { data, info } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return () => sharp(data, { raw });
}

async function _sheet(source: () => Sharp, panels: number): Promise<Buffer> {
  const { data, info } = await source()
    .resize({ height: PANEL_HEIGHT })
    .png({ compressionLevel: 1 })
    .toBuffer({ resolveWithObject: true });
  const layers: OverlayOptions[] = Array.from({ length: panels }, (_, i) => ({
    input: data,
    left: GAP + i * (info.width + GAP),
    top: GAP,
  }));
  const width = panels * (info.width + GAP) + GAP;
  const height = PANEL_HEIGHT + LABEL_HEIGHT + GAP * 2;
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .jpeg({ quality: 82 })
    .toBuffer();
}

function _encode(pipeline: Sharp, format: OutputFormat, quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality });
    case 'webp':
      return pipeline.webp({ quality, effort: 4 });
    case 'avif':
      return pipeline.avif({ quality, effort: AVIF_EFFORT });
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
  }
}
