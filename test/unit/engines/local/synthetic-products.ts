import sharp from 'sharp';
import type { Frame } from '../../../../shared/engines/local/pixels.js';

/** A product rendered on a backdrop, with the true coverage of the product at every pixel. */
export interface SyntheticProduct {
  /** The photo as the local engine receives it (RGB, or RGBA for the meaningless-alpha case). */
  frame: Frame;
  /** True product coverage, one byte per pixel (255 product, 0 backdrop, soft on the edge). */
  truth: Buffer;
  /** The product's own colours (RGB), valid where `truth` > 0. */
  product: Buffer;
}

/** Names of the synthetic products (see each builder for what it models). */
export const SYNTHETIC_PRODUCTS = [
  'white-on-white',
  'glossy-rim',
  'meaningless-alpha',
  'logo-bands',
] as const;
export type SyntheticName = (typeof SYNTHETIC_PRODUCTS)[number];

const W = 400;
const H = 300;

/**
 * Renders one synthetic product. The shapes are SVG, so the true mask is the renderer's own
 * anti-aliased coverage; the backdrop has a vertical gradient and seeded noise like a studio shot.
 */
export async function syntheticProduct(name: SyntheticName): Promise<SyntheticProduct> {
  const svg = _svg(name);
  const { data: layer } = await sharp(Buffer.from(svg))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const back = _backdrop(name === 'logo-bands' ? 255 : 251, name === 'logo-bands' ? 0 : 1.5, 11);
  const n = W * H;
  const truth = Buffer.alloc(n);
  const product = Buffer.alloc(n * 3);
  const channels = name === 'meaningless-alpha' ? 4 : 3;
  const data = Buffer.alloc(n * channels);
  for (let i = 0; i < n; i++) {
    const a = (layer[i * 4 + 3] as number) / 255;
    truth[i] = layer[i * 4 + 3] as number;
    for (let c = 0; c < 3; c++) {
      const f = layer[i * 4 + c] as number;
      product[i * 3 + c] = f;
      data[i * channels + c] = Math.round(f * a + (back[i * 3 + c] as number) * (1 - a));
    }
    if (channels === 4) data[i * 4 + 3] = 255;
  }
  if (channels === 4) {
    // An exporter's stray transparent corner: the alpha channel separates nothing.
    for (const i of [0, 1, W, W + 1]) data[i * 4 + 3] = 0;
  }
  return { frame: { data, width: W, height: H, channels }, truth, product };
}

/** Intersection over union of two masks thresholded at half coverage. */
export function maskIoU(a: Buffer, b: Buffer): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] as number) >= 128;
    const y = (b[i] as number) >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

function _svg(name: SyntheticName): string {
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">`;
  switch (name) {
    case 'white-on-white':
      // A white carton on studio white: faces 2–10 levels off the backdrop, a faint crease line.
      return `${open}<defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#f6f6f6"/>
<stop offset="1" stop-color="#e9e9e9"/></linearGradient></defs>
<rect x="130" y="50" width="140" height="210" rx="6" fill="url(#g)" stroke="#d4d4d4" stroke-width="1.5"/>
<line x1="200" y1="52" x2="200" y2="258" stroke="#e2e2e2" stroke-width="1"/></svg>`;
    case 'glossy-rim':
      // A dark cup whose white rim meets the white backdrop along a thin, light outline.
      return `${open}<path d="M120 100 L140 235 Q200 262 260 235 L280 100 Z" fill="#4a2416"/>
<ellipse cx="200" cy="100" rx="80" ry="26" fill="#fcfcfc" stroke="#dadada" stroke-width="1.2"/>
<ellipse cx="200" cy="102" rx="66" ry="18" fill="#6b3b1b"/></svg>`;
    case 'meaningless-alpha':
      // A dark teal bottle on white, saved as RGBA with alpha that is opaque almost everywhere.
      return `${open}<path d="M170 90 L185 60 L185 30 L215 30 L215 60 L230 90 L240 270 L160 270 Z" fill="#1d4d55"/>
<rect x="168" y="150" width="64" height="60" fill="#e8d9a8"/></svg>`;
    case 'logo-bands':
      // A two-colour disc cut by a white band that opens onto the white backdrop at both ends.
      return `${open}<defs><clipPath id="c"><circle cx="200" cy="150" r="120"/></clipPath></defs>
<g clip-path="url(#c)"><rect x="0" y="0" width="400" height="150" fill="#8dc63f"/>
<rect x="0" y="150" width="400" height="150" fill="#f7931e"/>
<path d="M60 200 C140 120 260 220 340 110" stroke="#ffffff" stroke-width="9" fill="none"/></g>
<circle cx="200" cy="150" r="120" fill="none" stroke="#000" stroke-opacity="0"/></svg>`;
  }
}

function _backdrop(level: number, noise: number, seed: number): Buffer {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    const shade = 1 - 0.02 * (y / H);
    for (let x = 0; x < W; x++) {
      const v = level * shade + (random() + random() + random() - 1.5) * 2 * noise;
      out.fill(Math.max(0, Math.min(255, Math.round(v))), (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return out;
}

/**
 * How much lighter than the product's own nearby colour the cut-out looks on a dark scene, at its
 * worst edge pixel: the cut-out is composited over `dark`, and every pixel within 2 px of the true
 * outline is compared with the lightest true product pixel within 3 px (its own edge colour).
 * @param cut RGBA cut-out the size of the product image
 * @returns the largest excess in luminance (0…255); 0 when no edge pixel is lighter
 */
export function lightFringe(cut: Frame, subject: SyntheticProduct, dark = 20): number {
  const { width, height } = cut;
  const { truth, product } = subject;
  const lum = (r: number, g: number, b: number) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  let worst = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!_nearOutline(truth, width, height, x, y, 2)) continue;
      const i = y * width + x;
      const a = (cut.data[i * 4 + 3] as number) / 255;
      if (a === 0) continue;
      const shown = [0, 1, 2].map((c) => (cut.data[i * 4 + c] as number) * a + dark * (1 - a));
      let own = dark;
      for (let v = Math.max(0, y - 3); v <= Math.min(height - 1, y + 3); v++) {
        for (let u = Math.max(0, x - 3); u <= Math.min(width - 1, x + 3); u++) {
          const j = v * width + u;
          if (truth[j] !== 255) continue;
          own = Math.max(
            own,
            lum(product[j * 3] as number, product[j * 3 + 1] as number, product[j * 3 + 2] as number),
          );
        }
      }
      worst = Math.max(worst, lum(shown[0] as number, shown[1] as number, shown[2] as number) - own);
    }
  }
  return worst;
}

function _nearOutline(
  truth: Buffer,
  width: number,
  height: number,
  x: number,
  y: number,
  r: number,
): boolean {
  const inside = (truth[y * width + x] as number) >= 128;
  for (let v = Math.max(0, y - r); v <= Math.min(height - 1, y + r); v++) {
    for (let u = Math.max(0, x - r); u <= Math.min(width - 1, x + r); u++) {
      if ((truth[v * width + u] as number) >= 128 !== inside) return true;
    }
  }
  return false;
}
