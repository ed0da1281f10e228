import sharp from 'sharp';
import type { EngineImage } from '../engines/engine.js';
import { parseAspectRatio } from '../imaging/index.js';
import type { OutputOptions } from '../request/index.js';
import { measureOutput } from './measure.js';
import { PRESETS } from './presets.js';
import type { CheckRequest } from './run-checks.js';

/** The main output as a preset shapes it: the image to encode, the output options, the checks. */
export interface PresetFraming {
  image: EngineImage;
  output: OutputOptions;
  checks: CheckRequest[];
  /** What the framing did, for the manifest. */
  facts?:
    | { productFill?: number; enlargedFrom?: number; canvas: { width: number; height: number } }
    | undefined;
}

/**
 * Applies `output.preset` (sizes, padding, background, format, quality) and gathers the checks
 * (the preset's, then `output.checks`). With a preset that sets a product fill, the product's
 * bounding box against the background is reframed to that share of the frame, on the preset's
 * background; transparency is flattened onto it. The image is enlarged to the preset's size only
 * when `output.enlarge` is true; otherwise a size check says how far it falls short.
 * @returns the request's own output and checks unchanged when there is no preset
 */
export async function framePreset(image: EngineImage, output: OutputOptions): Promise<PresetFraming> {
  const own: CheckRequest[] = (output.checks ?? []).map((spec) => ({ spec }));
  if (!output.preset) return { image, output, checks: own };
  const rules = PRESETS[output.preset];
  const checks = [...rules.checks.map((spec) => ({ spec, preset: output.preset })), ...own];
  const shaped: OutputOptions = {
    ...output,
    aspectRatio: rules.aspectRatio,
    fit: 'pad',
    background: rules.background,
    maxSize: rules.size,
    formats: rules.formats,
    quality: rules.quality,
  };
  const ratio = parseAspectRatio(rules.aspectRatio) ?? 1;
  let pipeline = sharp(image.data).flatten({ background: rules.background });
  let width = image.width;
  let height = image.height;
  let productFill: number | undefined;
  if (rules.productFill) {
    const flat = await pipeline.png().toBuffer();
    const m = await measureOutput(flat, rules.background);
    const box = m.productBox;
    if (box && m.backgroundPixels > 0) {
      // Rounded down, so the product spans at least the share asked for.
      width = Math.max(
        1,
        Math.floor(Math.max(box.width / rules.productFill, (box.height * ratio) / rules.productFill)),
      );
      height = Math.max(1, Math.floor(width / ratio));
      const left = Math.floor((width - box.width) / 2);
      const top = Math.floor((height - box.height) / 2);
      pipeline = sharp(flat)
        .extract(box)
        .extend({
          left,
          top,
          right: width - box.width - left,
          bottom: height - box.height - top,
          background: rules.background,
        });
      productFill = rules.productFill;
    } else {
      pipeline = sharp(flat);
    }
  }
  const longest = Math.max(width, height);
  let enlargedFrom: number | undefined;
  if (output.enlarge && longest < rules.size) {
    const materialised = await pipeline.png().toBuffer();
    const scale = rules.size / longest;
    pipeline = sharp(materialised).resize(Math.round(width * scale), Math.round(height * scale), {
      fit: 'fill',
      kernel: 'lanczos3',
    });
    enlargedFrom = longest;
    width = Math.round(width * scale);
    height = Math.round(height * scale);
  }
  const data = await pipeline.png().toBuffer();
  return {
    image: { data, mimeType: 'image/png', width, height },
    output: shaped,
    checks,
    facts: {
      ...(productFill ? { productFill } : {}),
      ...(enlargedFrom ? { enlargedFrom } : {}),
      canvas: { width, height },
    },
  };
}
