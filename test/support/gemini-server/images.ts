import sharp from 'sharp';
import type { EngineImage } from '../../../shared/engines/engine.js';

/** An RGB triple. */
export type Rgb = readonly [number, number, number];

/**
 * A flat-colour test image, encoded.
 * @example await solidImage([255, 0, 0], 300, 200) // a red 300×200 PNG
 */
export async function solidImage(
  rgb: Rgb,
  width: number,
  height: number,
  format: 'png' | 'jpeg' = 'png',
): Promise<EngineImage> {
  const [r, g, b] = rgb;
  const data = await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    [format]()
    .toBuffer();
  return { data, mimeType: `image/${format}`, width, height };
}

/** The RGB value of one pixel of an encoded image. */
export async function pixelAt(data: Buffer, x: number, y: number): Promise<Rgb> {
  const { data: raw, info } = await sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [raw[i] ?? 0, raw[i + 1] ?? 0, raw[i + 2] ?? 0];
}

/** True when two colours differ by at most `tolerance` on every channel (codecs shift colours a little). */
export function near(a: Rgb, b: Rgb, tolerance = 12): boolean {
  return a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);
}
