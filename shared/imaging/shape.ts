import type { OutputSize } from '../request/index.js';

/** How an output is resized, computed from the image size and the output options. */
export type Shape =
  | { kind: 'none'; background: string }
  | { kind: 'inside'; width: number; height: number; background: string; enlarge?: boolean }
  | {
      kind: 'cover';
      width: number;
      height: number;
      position: 'attention' | 'entropy' | 'centre';
      background: string;
    }
  | { kind: 'pad'; width: number; height: number; background: string };

/** The fields of an output section or a named size that decide its shape. */
export type ShapeOptions = Pick<
  OutputSize,
  'maxSize' | 'aspectRatio' | 'fit' | 'background' | 'position' | 'enlarge'
>;

/**
 * Target dimensions: crop to (cover) or pad out to (pad) the aspect ratio at the image's
 * own scale, then shrink so the longest side fits `maxSize`. Never enlarges, unless `enlarge`
 * is set: then the longest side is resampled up to `maxSize` too.
 * @param image the source width and height
 * @param options maxSize, aspectRatio, fit, background, position
 * @example shapeFor({ width: 1200, height: 800 }, { aspectRatio: '1:1', fit: 'pad', maxSize: 600, background: '#ffffff' })
 *   // { kind: 'pad', width: 600, height: 600, … }
 */
export function shapeFor(image: { width: number; height: number }, options: ShapeOptions): Shape {
  const background = options.background;
  const ratio = options.aspectRatio ? parseAspectRatio(options.aspectRatio) : undefined;
  const longest = Math.max(image.width, image.height);
  if (!ratio) {
    if (!options.maxSize || longest === options.maxSize || (longest < options.maxSize && !options.enlarge))
      return { kind: 'none', background };
    return {
      kind: 'inside',
      width: options.maxSize,
      height: options.maxSize,
      background,
      ...(options.enlarge ? { enlarge: true } : {}),
    };
  }
  const imageRatio = image.width / image.height;
  const pad = options.fit === 'pad';
  // cover: the largest rectangle of the ratio inside the image; pad: the smallest one around it.
  const widthBound = pad ? imageRatio > ratio : imageRatio < ratio;
  let width = widthBound ? image.width : image.height * ratio;
  let height = widthBound ? image.width / ratio : image.height;
  const fitScale = options.maxSize ? options.maxSize / Math.max(width, height) : 1;
  const scale = options.enlarge ? fitScale : Math.min(1, fitScale);
  width = Math.max(1, Math.round(width * scale));
  height = Math.max(1, Math.round(height * scale));
  if (pad) return { kind: 'pad', width, height, background };
  return { kind: 'cover', width, height, position: options.position ?? 'attention', background };
}

/**
 * @param value a ratio such as `4:5`
 * @returns width divided by height, or undefined when either side is zero
 */
export function parseAspectRatio(value: string): number | undefined {
  const [w, h] = value.split(':').map(Number);
  if (!w || !h) return undefined;
  return w / h;
}
