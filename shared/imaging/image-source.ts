import sharp, { type Sharp } from 'sharp';
import type { EngineImage } from '../engines/engine.js';

/**
 * A sharp pipeline over an image: from its decoded pixels when it carries them (no decode), else
 * from its bytes, converted to sRGB.
 * @param image an image, with or without `pixels`
 * @example await imagePipeline(loaded.image).resize(256).webp().toBuffer()
 */
export function imagePipeline(image: Pick<EngineImage, 'data' | 'pixels'>): Sharp {
  const { pixels } = image;
  if (!pixels) return sharp(image.data).toColourspace('srgb');
  return sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  });
}
