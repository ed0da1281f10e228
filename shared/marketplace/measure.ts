import sharp from 'sharp';
import { colourDistance } from '../subject/index.js';

/** What the checks look at in one encoded output file. */
export interface OutputMeasurements {
  width: number;
  height: number;
  bytes: number;
  /** Colour space sharp reports (`srgb`, `cmyk`, `b-w`, …). */
  space: string;
  /** `sRGB` when an sRGB profile is embedded, `none` without a profile, `other` otherwise. */
  profile: 'sRGB' | 'none' | 'other';
  /** Pixels with alpha below 255. */
  transparentPixels: number;
  /** Share (0…1) of the background pixels that are exactly the background colour. */
  backgroundPurity: number;
  /** Background pixels the purity counts: connected to the border, close to the background colour, away from the product's edge. */
  backgroundPixels: number;
  /** The product's bounding box against the frame, along its longer direction (0…1). */
  productFill: number;
  productBox: { left: number; top: number; width: number; height: number } | undefined;
}

/**
 * A pixel within this colour distance of the background colour, and connected to the border
 * through such pixels, is background: a grey studio sweep or JPEG ringing next to white counts
 * as background that is not pure, while the product is never counted.
 */
const NEAR_BACKGROUND = 24;
/**
 * Background pixels this close to the product (chessboard distance) are left out of the purity
 * share: JPEG codes 8×8 blocks (16×16 with chroma subsampling), so the blocks an edge crosses ring
 * however white the backdrop was.
 */
const EDGE_MARGIN = 16;

/**
 * Decodes one output file and measures what the marketplace checks need.
 * @param background the required background colour, `#rrggbb`
 */
export async function measureOutput(data: Buffer, background: string): Promise<OutputMeasurements> {
  const meta = await sharp(data).metadata();
  const { data: px, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const target = [1, 3, 5].map((i) => Number.parseInt(background.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
  const n = width * height;
  const near = (i: number) =>
    (px[i * 4 + 3] as number) === 255 &&
    colourDistance(px[i * 4] as number, px[i * 4 + 1] as number, px[i * 4 + 2] as number, ...target) <=
      NEAR_BACKGROUND;
  const isBackground = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const seed = (i: number) => {
    if (!isBackground[i] && near(i)) {
      isBackground[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head] as number;
    const x = i % width;
    if (x > 0) seed(i - 1);
    if (x < width - 1) seed(i + 1);
    if (i >= width) seed(i - width);
    if (i + width < n) seed(i + width);
  }
  const nearProduct = _withinOfProduct(isBackground, width, height, EDGE_MARGIN);
  let exact = 0;
  let counted = 0;
  let transparent = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let i = 0; i < n; i++) {
    if ((px[i * 4 + 3] as number) < 255) transparent++;
    if (isBackground[i]) {
      if (nearProduct[i]) continue;
      counted++;
      if (px[i * 4] === target[0] && px[i * 4 + 1] === target[1] && px[i * 4 + 2] === target[2]) exact++;
      continue;
    }
    const x = i % width;
    const y = (i - x) / width;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const productBox =
    maxX < 0 ? undefined : { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  return {
    width,
    height,
    bytes: data.length,
    space: meta.space ?? 'unknown',
    profile: _profile(meta.icc),
    transparentPixels: transparent,
    backgroundPurity: counted === 0 ? 0 : exact / counted,
    backgroundPixels: counted,
    productFill: productBox ? Math.max(productBox.width / width, productBox.height / height) : 0,
    productBox,
  };
}

/** Pixels within `steps` (chessboard distance) of a non-background pixel, by breadth-first steps. */
function _withinOfProduct(
  isBackground: Uint8Array,
  width: number,
  height: number,
  steps: number,
): Uint8Array {
  const n = width * height;
  const depth = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (!isBackground[i]) {
      depth[i] = 1;
      queue[tail++] = i;
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head] as number;
    if ((depth[i] as number) > steps) continue;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const u = x + dx;
        const v = y + dy;
        if (u < 0 || v < 0 || u >= width || v >= height) continue;
        const j = v * width + u;
        if (depth[j]) continue;
        depth[j] = (depth[i] as number) + 1;
        queue[tail++] = j;
      }
    }
  }
  return depth;
}

/** An ICC profile's description tag names its space; sRGB profiles say so. */
function _profile(icc: Buffer | undefined): OutputMeasurements['profile'] {
  if (!icc) return 'none';
  return icc.includes('sRGB', 0, 'latin1') || icc.includes('s\0R\0G\0B', 0, 'latin1') ? 'sRGB' : 'other';
}
