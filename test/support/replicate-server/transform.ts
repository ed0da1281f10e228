import sharp, { type Sharp } from 'sharp';
import type { FakeModel } from './models.js';

/**
 * What the fake models "do": a visible, deterministic transform of their inputs, so a test
 * can tell which input produced which output.
 * - editors: image 1 with its colours inverted; image 2, when given, pasted at a third of the
 *   width into the top-left corner (fusion); a requested aspect ratio crops the result;
 * - upscalers: image 1 enlarged `scale` times (nearest neighbour).
 */

const FORMATS: Record<string, { ext: string; mime: string }> = {
  png: { ext: 'png', mime: 'image/png' },
  jpg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
};

/** An output file of a fake prediction. */
export interface FakeOutput {
  data: Buffer;
  mimeType: string;
  ext: string;
}

/**
 * @param model the fake model
 * @param images decoded input images, in order
 * @param input the prediction input (aspect_ratio, scale, output_format)
 * @returns the output file
 */
export async function transform(
  model: FakeModel,
  images: Buffer[],
  input: Record<string, unknown>,
): Promise<FakeOutput> {
  const [first, second] = images;
  if (!first) throw new Error('no input image');
  const format = FORMATS[String(input.output_format ?? 'png')] ?? { ext: 'png', mime: 'image/png' };
  const meta = await sharp(first).metadata();
  const width = meta.width ?? 1;
  const height = meta.height ?? 1;
  let image: Sharp;
  if (model.kind === 'upscale') {
    const scale = typeof input.scale === 'number' ? input.scale : 4;
    image = sharp(first).resize({
      width: Math.round(width * scale),
      height: Math.round(height * scale),
      kernel: 'nearest',
    });
  } else {
    let base = await sharp(first).removeAlpha().negate().png().toBuffer();
    if (second) {
      const inset = await sharp(second)
        .resize({
          width: Math.max(1, Math.round(width / 3)),
          height: Math.max(1, Math.round(height / 3)),
          fit: 'fill',
        })
        .png()
        .toBuffer();
      base = await sharp(base)
        .composite([{ input: inset, left: 0, top: 0 }])
        .png()
        .toBuffer();
    }
    image = sharp(base);
    const ratio = String(input.aspect_ratio ?? 'match_input_image').match(/^(\d+):(\d+)$/);
    if (ratio) {
      const h = Math.max(1, Math.min(height, Math.round((width * Number(ratio[2])) / Number(ratio[1]))));
      const w = Math.max(1, Math.min(width, Math.round((h * Number(ratio[1])) / Number(ratio[2]))));
      image = image.resize({ width: w, height: h, fit: 'cover' });
    }
  }
  const data = await image
    .toFormat(format.ext === 'jpg' ? 'jpeg' : (format.ext as 'png' | 'webp'))
    .toBuffer();
  return { data, mimeType: format.mime, ext: format.ext };
}
