import sharp from 'sharp';
import { decodeFrame } from '../../shared/engines/local/pixels.js';
import { separateSubject } from '../../shared/subject/index.js';

/**
 * How faithfully an output keeps the source's product: over the pixels fully inside the source's
 * subject mask, how many there are and the largest difference of any channel (0…255), with the
 * output's RGB pixels.
 * @param source the source image (product on its backdrop)
 * @param output the encoded output, the source's size
 */
export async function productKept(
  source: Buffer,
  output: Buffer,
): Promise<{ width: number; height: number; inside: number; worst: number; pixels: Buffer }> {
  const mask = await separateSubject(await decodeFrame(source));
  const src = await sharp(source).removeAlpha().raw().toBuffer();
  const { data: out, info } = await sharp(output).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let inside = 0;
  let worst = 0;
  for (let i = 0; i < mask.alpha.length; i++) {
    if (mask.alpha[i] !== 255) continue;
    inside++;
    for (let c = 0; c < 3; c++)
      worst = Math.max(worst, Math.abs((out[i * 3 + c] as number) - (src[i * 3 + c] as number)));
  }
  return { width: info.width, height: info.height, inside, worst, pixels: out };
}
