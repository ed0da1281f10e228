import sharp from 'sharp';
import type { EngineImage } from '../../../shared/engines/engine.js';

/**
 * A synthetic product shot: a dark bottle with a label, `height` px tall on a canvas of `size`,
 * on a transparent backdrop (a cut-out) or a plain colour.
 */
export async function productShot(options: {
  size: number;
  /** Share of the canvas height the bottle takes. */
  share?: number;
  /** `transparent`, or a `#rrggbb` backdrop. */
  backdrop?: string;
  width?: number;
}): Promise<EngineImage> {
  const { size } = options;
  const width = options.width ?? size;
  const h = size * (options.share ?? 0.6);
  const w = h * 0.4;
  const x = (width - w) / 2;
  const y = (size - h) / 2;
  const back =
    !options.backdrop || options.backdrop === 'transparent'
      ? ''
      : `<rect width="${width}" height="${size}" fill="${options.backdrop}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${size}">${back}
<path d="M${x} ${y + h * 0.25} L${x + w * 0.3} ${y + h * 0.1} L${x + w * 0.3} ${y} L${x + w * 0.7} ${y} L${x + w * 0.7} ${y + h * 0.1} L${x + w} ${y + h * 0.25} L${x + w} ${y + h} L${x} ${y + h} Z" fill="#1d4d55"/>
<rect x="${x}" y="${y + h * 0.45}" width="${w}" height="${h * 0.25}" fill="#e8d9a8"/></svg>`;
  const data = await sharp(Buffer.from(svg)).png().toBuffer();
  return { data, mimeType: 'image/png', width, height: size };
}

/** A scene with no plain backdrop: a diagonal gradient with a bright band. */
export async function sceneShot(size: number): Promise<EngineImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs>
<linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6b4a2b"/><stop offset="1" stop-color="#c9a27a"/></linearGradient></defs>
<rect width="${size}" height="${size}" fill="url(#g)"/><rect y="${size * 0.6}" width="${size}" height="${size * 0.1}" fill="#f0e6d8"/></svg>`;
  const data = await sharp(Buffer.from(svg)).png().toBuffer();
  return { data, mimeType: 'image/png', width: size, height: size };
}
