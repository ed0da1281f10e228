import sharp from 'sharp';
import type { RawPixels } from '../engines/engine.js';
import { EngineError } from '../errors.js';
import { colourDistance } from './colour-distance.js';
import { closeThinChannels, edgeStrength, refineBand } from './matte.js';
import { transformPlane } from './plane.js';

/** The subject of an image, separated from its background. */
export interface SubjectMask {
  /** One byte per pixel: 255 subject, 0 background, in between on soft edges. */
  alpha: Buffer;
  width: number;
  height: number;
  /** How the subject was found. */
  source: 'alpha' | 'uniform-background';
  /** The background colour (sRGB) when the background was a plain colour. */
  background?: [number, number, number] | undefined;
  /** Colour distance up to which a pixel counts as background. */
  tolerance?: number | undefined;
  /** Share of the image covered by the subject, 0…1. */
  coverage: number;
}

/** Longest side of the copy on which the background is analysed. */
const WORK_SIZE = 640;
/** Share of the border that must match the background colour. */
const MIN_BORDER_MATCH = 0.7;
/** Above this median border distance the background is not one plain colour. */
const MAX_BORDER_SPREAD = 9;
/** A backdrop is one region, or a few when the subject touches the frame; texture is many. */
const MAX_BACKGROUND_REGIONS = 4;
/**
 * An alpha channel separates something only when a real share of the image is transparent and a
 * real share opaque; a product on white saved as RGBA with a few stray transparent pixels is not
 * a cut-out.
 */
const MIN_ALPHA_SHARE = 0.01;
/** Widest enclosed background-coloured channel (white band, rim) given to the subject, as a share of the long side. */
const CHANNEL_SHARE = 0.012;

/**
 * Finds the subject: from the alpha channel when the image has a meaningful one, otherwise by
 * separating a plain background (studio white or any uniform colour) seeded from the borders.
 * @throws EngineError EDIT_NOT_POSSIBLE when the background is not uniform enough, or no subject is found
 */
export async function separateSubject(frame: RawPixels, label = 'image 1'): Promise<SubjectMask> {
  const fromAlpha = _alphaMask(frame);
  if (fromAlpha) return _checked(fromAlpha, label);
  return _checked(await _uniformBackgroundMask(frame, label), label);
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

function _checked(mask: SubjectMask, label: string): SubjectMask {
  if (mask.coverage < 0.002) {
    throw new EngineError('EDIT_NOT_POSSIBLE', `Found no subject in ${label}: it is all background.`, {
      details: { coverage: mask.coverage },
    });
  }
  return mask;
}

function _alphaMask(frame: RawPixels): SubjectMask | undefined {
  if (frame.channels !== 4) return undefined;
  const n = frame.width * frame.height;
  const alpha = Buffer.allocUnsafe(n);
  let sum = 0;
  let transparent = 0;
  for (let i = 0; i < n; i++) {
    const a = frame.data[i * 4 + 3] as number;
    alpha[i] = a;
    sum += a;
    if (a < 128) transparent++;
  }
  if (transparent < n * MIN_ALPHA_SHARE || n - transparent < n * MIN_ALPHA_SHARE) return undefined;
  return { alpha, width: frame.width, height: frame.height, source: 'alpha', coverage: sum / 255 / n };
}

function _median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function _uniformBackgroundMask(frame: RawPixels, label: string): Promise<SubjectMask> {
  const { width, height } = frame;
  const scale = Math.min(1, WORK_SIZE / Math.max(width, height));
  const ww = Math.max(8, Math.round(width * scale));
  const wh = Math.max(8, Math.round(height * scale));
  const { data: work } = await sharp(frame.data, { raw: { width, height, channels: frame.channels } })
    .removeAlpha()
    .resize(ww, wh, { kernel: 'linear', fit: 'fill' })
    .blur(0.7)
    .raw()
    .toBuffer({ resolveWithObject: true });

  const border: number[] = [];
  for (let y = 0; y < wh; y++) {
    for (let x = 0; x < ww; x++) {
      if (x < 2 || y < 2 || x >= ww - 2 || y >= wh - 2) border.push(y * ww + x);
    }
  }
  const px = (i: number, c: number) => work[i * 3 + c] as number;
  const bg: [number, number, number] = [0, 1, 2].map((c) => _median(border.map((i) => px(i, c)))) as [
    number,
    number,
    number,
  ];
  const dist = new Float32Array(ww * wh);
  for (let i = 0; i < dist.length; i++) dist[i] = colourDistance(px(i, 0), px(i, 1), px(i, 2), ...bg);
  const borderDist = border.map((i) => dist[i] as number);
  const spread = _median(borderDist);
  const tolerance = Math.min(24, Math.max(7, 2.5 * spread + 4));
  const matching = borderDist.filter((d) => d <= tolerance).length / border.length;
  if (matching < MIN_BORDER_MATCH || spread > MAX_BORDER_SPREAD) {
    throw new EngineError(
      'EDIT_NOT_POSSIBLE',
      `The background of ${label} is not a plain colour (${Math.round(matching * 100)}% of its border matches one colour, ` +
        `median deviation ${spread.toFixed(1)}), so the local engine cannot separate the subject cleanly. ` +
        'Use a product shot on a plain background, an image with transparency, or the gemini engine.',
      { details: { borderMatch: matching, borderSpread: spread, background: bg } },
    );
  }

  const edges = edgeStrength(work, ww, wh);
  const edgeNoise = _median(border.map((i) => edges[i] as number));
  const barrier = Math.max(tolerance, 3 * edgeNoise + 4);
  const { mask: hard, regions } = _floodFromBorder(
    dist,
    ww,
    wh,
    tolerance,
    border,
    (i) => (edges[i] as number) < barrier,
  );
  const edgeContrast = Math.max(_edgeContrast(hard, dist, ww, wh), _ringMedian(hard, edges, ww, wh) / 2);
  closeThinChannels(hard, ww, wh, Math.max(2, Math.round(CHANNEL_SHARE * Math.max(ww, wh))));
  if (regions > MAX_BACKGROUND_REGIONS || edgeContrast < 2 * tolerance) {
    throw new EngineError(
      'EDIT_NOT_POSSIBLE',
      `The background of ${label} looks like a textured surface rather than a backdrop (${regions} separate ` +
        `background regions, edge contrast ${edgeContrast.toFixed(1)} against a tolerance of ${tolerance.toFixed(1)}), ` +
        'so the local engine cannot separate the subject cleanly. Use a product shot on a plain background, ' +
        'an image with transparency, or the gemini engine.',
      { details: { backgroundRegions: regions, edgeContrast, tolerance, background: bg } },
    );
  }
  const alpha = await _refineAtFullSize(frame, hard, { ww, wh, bg, tolerance });
  let sum = 0;
  for (let i = 0; i < alpha.length; i++) sum += alpha[i] as number;
  return {
    alpha,
    width,
    height,
    source: 'uniform-background',
    background: bg,
    tolerance,
    coverage: sum / 255 / alpha.length,
  };
}

/**
 * Median colour distance to the background just inside the subject's outline (2–4 px in).
 * A real object stands out from its backdrop there; a textured background that merely
 * crossed the tolerance does not.
 */
function _edgeContrast(hard: Buffer, dist: Float32Array, w: number, h: number): number {
  const steps = _stepsToBackground(hard, w, h);
  const ring: number[] = [];
  for (let i = 0; i < hard.length; i++) {
    const s = steps[i] as number;
    if (s >= 2 && s <= 4) ring.push(dist[i] as number);
  }
  return ring.length === 0 ? 0 : _median(ring);
}

/** Median edge strength on the subject's outermost ring (where it meets the background). */
function _ringMedian(hard: Buffer, edges: Float32Array, w: number, h: number): number {
  const steps = _stepsToBackground(hard, w, h);
  const ring: number[] = [];
  for (let i = 0; i < hard.length; i++) if (steps[i] === 1) ring.push(edges[i] as number);
  return ring.length === 0 ? 0 : _median(ring);
}

/** Chessboard distance (two-pass) from each subject pixel to the nearest background pixel. */
function _stepsToBackground(hard: Buffer, w: number, h: number): Uint16Array {
  const far = 65535;
  const d = new Uint16Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = hard[i] === 0 ? 0 : far;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? far : (d[y * w + x] as number));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      const m = Math.min(at(x - 1, y), at(x - 1, y - 1), at(x, y - 1), at(x + 1, y - 1));
      d[i] = Math.min(d[i] as number, m === far ? far : m + 1);
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      const m = Math.min(at(x + 1, y), at(x + 1, y + 1), at(x, y + 1), at(x - 1, y + 1));
      d[i] = Math.min(d[i] as number, m === far ? far : m + 1);
    }
  }
  return d;
}

/**
 * Background pixels reachable from the border through background-coloured pixels get 0, the
 * rest 255. Also counts the separate background regions of any size: a backdrop is one or two,
 * a textured surface (bricks, wood, foliage) that happens to match the tolerance is dozens.
 */
function _floodFromBorder(
  dist: Float32Array,
  w: number,
  h: number,
  tolerance: number,
  border: number[],
  passable: (i: number) => boolean = () => true,
): { mask: Buffer; regions: number } {
  const mask = Buffer.alloc(w * h, 255);
  const queue = new Int32Array(w * h);
  const minRegion = w * h * 0.002;
  let regions = 0;
  for (const seed of border) {
    if ((dist[seed] as number) > tolerance || mask[seed] === 0 || !passable(seed)) continue;
    let head = 0;
    let tail = 0;
    mask[seed] = 0;
    queue[tail++] = seed;
    while (head < tail) {
      const i = queue[head++] as number;
      const x = i % w;
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
        if (j >= 0 && j < w * h && mask[j] === 255 && (dist[j] as number) <= tolerance && passable(j)) {
          mask[j] = 0;
          queue[tail++] = j;
        }
      }
    }
    if (tail >= minRegion) regions++;
  }
  return { mask, regions };
}

/**
 * Scales the hard mask to full size; on the resulting soft band along the edge, alpha comes from
 * each full-resolution pixel's distance to the background colour (anti-aliased edges), and a
 * sub-pixel feather smooths what is left of the staircase.
 */
async function _refineAtFullSize(
  frame: RawPixels,
  hard: Buffer,
  work: { ww: number; wh: number; bg: [number, number, number]; tolerance: number },
): Promise<Buffer> {
  const { width, height, channels, data } = frame;
  const cleaned = await transformPlane(hard, { width: work.ww, height: work.wh }, (image) =>
    image.median(3).blur(1).resize(width, height, { kernel: 'linear', fit: 'fill' }),
  );
  const alpha = refineBand({
    coarse: cleaned,
    rgb: data,
    channels,
    width,
    height,
    background: work.bg,
    tolerance: work.tolerance,
  });
  const feather = Math.max(0.5, Math.max(width, height) / 2000);
  return transformPlane(alpha, { width, height }, (image) => image.blur(feather));
}
