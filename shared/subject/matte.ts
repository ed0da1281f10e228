import { colourDistance } from './colour-distance.js';

/**
 * The steps of separation that look past colour alone: edge strength (so a light product part
 * bounded by even a faint outline is not flooded as backdrop), closing of thin background-coloured
 * channels enclosed by the product (a logo's white band, a cup's white rim), and the soft edge at
 * full size. Work buffers are one value per pixel, row-major.
 */

/**
 * Edge strength at every pixel: the largest colour distance to a 4-neighbour.
 * @param rgb interleaved 3-channel pixels
 */
export function edgeStrength(rgb: Buffer, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const d = (i: number, j: number) =>
    colourDistance(
      rgb[i * 3] as number,
      rgb[i * 3 + 1] as number,
      rgb[i * 3 + 2] as number,
      rgb[j * 3] as number,
      rgb[j * 3 + 1] as number,
      rgb[j * 3 + 2] as number,
    );
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let e = 0;
      if (x + 1 < width) e = d(i, i + 1);
      if (y + 1 < height) e = Math.max(e, d(i, i + width));
      out[i] = Math.max(out[i] as number, e);
      if (x + 1 < width) out[i + 1] = Math.max(out[i + 1] as number, e);
      if (y + 1 < height) out[i + width] = Math.max(out[i + width] as number, e);
    }
  }
  return out;
}

/** The four directions a thin channel is looked across: horizontal, vertical, both diagonals. */
const DIRECTIONS = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
] as const;

/**
 * Gives the subject the background-coloured pixels that lie in a channel narrower than
 * `2 * radius` between two parts of the subject (both sides found within `radius` along one
 * direction). A white band across a logo or the white rim of a cup touches the backdrop only at
 * its ends; a wide bay of real background between two parts of a product stays background.
 * @param hard 255 subject, 0 background; changed in place
 * @returns how many pixels were given to the subject
 */
export function closeThinChannels(hard: Buffer, width: number, height: number, radius: number): number {
  const add: number[] = [];
  const isSubject = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && hard[y * width + x] === 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (hard[y * width + x] !== 0) continue;
      for (const [dx, dy] of DIRECTIONS) {
        let ahead = 0;
        for (let k = 1; k <= radius && !ahead; k++) if (isSubject(x + k * dx, y + k * dy)) ahead = k;
        if (!ahead) continue;
        let behind = 0;
        for (let k = 1; k <= radius - ahead + 1 && !behind; k++) {
          if (isSubject(x - k * dx, y - k * dy)) behind = k;
        }
        if (behind) {
          add.push(y * width + x);
          break;
        }
      }
    }
  }
  for (const i of add) hard[i] = 255;
  return add.length;
}

/**
 * Alpha at full size on the soft band between certain background (`coarse` 0) and certain subject
 * (`coarse` 255). Background is flooded from the certain background through band pixels of
 * background colour. Where the product's nearby colour differs clearly from the backdrop, alpha
 * is the pixel's position between the two (the two-colour model of a blended edge pixel); where
 * it does not (a white rim on white), pixels the backdrop flood did not reach are product behind
 * an outline and keep full alpha, and reached ones fade by their distance from backdrop colour.
 * @param coarse the work mask scaled to full size and softened
 */
export function refineBand(options: {
  coarse: Buffer;
  rgb: Buffer;
  channels: number;
  width: number;
  height: number;
  background: readonly [number, number, number];
  tolerance: number;
}): Buffer {
  const { rgb, channels, width, height, background: bg, tolerance } = options;
  const n = width * height;
  // The work copy was blurred, so its edge can sit a pixel or two outside the real one: only
  // pixels a little further in count as certainly subject.
  const coarse = _widenBand(options.coarse, width, height, BAND_WIDEN);
  const dist = (i: number) =>
    colourDistance(
      rgb[i * channels] as number,
      rgb[i * channels + 1] as number,
      rgb[i * channels + 2] as number,
      bg[0],
      bg[1],
      bg[2],
    );
  const reached = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (coarse[i] === 0) {
      reached[i] = 1;
      queue[tail++] = i;
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head] as number;
    for (const j of _neighbours(i, width, n)) {
      if (j < 0 || reached[j] || coarse[j] === 255 || dist(j) > tolerance) continue;
      reached[j] = 1;
      queue[tail++] = j;
    }
  }
  const near = nearestOpaque({ alpha: coarse, rgb, channels, width, height });
  const alpha = Buffer.from(coarse);
  const lo = tolerance * 0.5;
  const hi = tolerance * 1.6;
  const contrast = Math.max(24, 2 * tolerance);
  for (let i = 0; i < n; i++) {
    const m = coarse[i] as number;
    if (m === 0 || m === 255) continue;
    const f = near.subarray(i * 3, i * 3 + 3);
    const fb = [0, 1, 2].map((c) => (f[c] as number) - (bg[c] as number));
    const span = fb.reduce((s, v) => s + v * v, 0);
    if (_hasColour(near, i) && Math.sqrt(span / 3) >= contrast / 2) {
      let dot = 0;
      for (let c = 0; c < 3; c++)
        dot += ((rgb[i * channels + c] as number) - (bg[c] as number)) * (fb[c] as number);
      alpha[i] = Math.round(255 * Math.min(1, Math.max(0, dot / span)));
    } else {
      const byColour = Math.min(1, Math.max(0, (dist(i) - lo) / (hi - lo)));
      alpha[i] = reached[i] ? Math.round(255 * byColour) : 255;
    }
  }
  return alpha;
}

/**
 * The colour of the nearest fully opaque pixel, for every pixel with partial alpha (breadth-first
 * from the opaque pixels, so it is the product's own colour just inside its edge).
 * @returns RGB per pixel; pixels no opaque pixel reaches are marked by `NO_COLOUR` in all three
 */
export function nearestOpaque(options: {
  alpha: Buffer;
  rgb: Buffer;
  channels: number;
  width: number;
  height: number;
}): Int16Array {
  const { alpha, rgb, channels, width, height } = options;
  const n = width * height;
  const out = new Int16Array(n * 3).fill(NO_COLOUR);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (alpha[i] !== 255) continue;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = rgb[i * channels + c] as number;
    queue[tail++] = i;
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head] as number;
    for (const j of _neighbours(i, width, n)) {
      if (j < 0 || alpha[j] === 0 || out[j * 3] !== NO_COLOUR) continue;
      out[j * 3] = out[i * 3] as number;
      out[j * 3 + 1] = out[i * 3 + 1] as number;
      out[j * 3 + 2] = out[i * 3 + 2] as number;
      queue[tail++] = j;
    }
  }
  return out;
}

/** Pixels of certain subject next to the soft band that are re-examined at full size. */
const BAND_WIDEN = 2;

/** Marks a pixel that no opaque pixel reaches in `nearestOpaque`'s result. */
export const NO_COLOUR = -1;

// ---------------------------------------------------------------------------------------------
// Internal helpers

/** Pixels of certain subject (255) within `steps` pixels of anything else join the soft band. */
function _widenBand(coarse: Buffer, width: number, height: number, steps: number): Buffer {
  let current = Buffer.from(coarse);
  for (let s = 0; s < steps; s++) {
    const next = Buffer.from(current);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (current[i] !== 255) continue;
        const edge =
          (x > 0 && current[i - 1] !== 255) ||
          (x < width - 1 && current[i + 1] !== 255) ||
          (y > 0 && current[i - width] !== 255) ||
          (y < height - 1 && current[i + width] !== 255);
        if (edge) next[i] = 254;
      }
    }
    current = next;
  }
  return current;
}

function _hasColour(near: Int16Array, i: number): boolean {
  return near[i * 3] !== NO_COLOUR;
}

function _neighbours(i: number, width: number, n: number): [number, number, number, number] {
  const x = i % width;
  const up = i - width;
  const down = i + width;
  return [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, up >= 0 ? up : -1, down < n ? down : -1];
}
