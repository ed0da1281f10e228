import type { RawPixels } from '../engines/engine.js';
import type { PlacementGeometry } from './placement-phrases.js';

/** Where the subject goes in the scene, and why. */
export interface SubjectLayout {
  left: number;
  top: number;
  width: number;
  height: number;
  scale: number;
  /** Where the base stands (px from the top), and what decided it. */
  baseline: number;
  rests: 'ground-line' | 'lower-third' | 'bottom' | 'top' | 'centre';
  /** The scene's ground line (a long horizontal edge: a table's back edge, a floor line), when found. */
  groundLine?: number | undefined;
}

/** Share of the scene's height the subject is scaled to by default. */
const SUBJECT_HEIGHT = 0.45;
/** Share of the scene's width the subject may take at most by default. */
const SUBJECT_WIDTH = 0.6;
/** Where the base stands by default, as a share of the scene's height from the top (the lower third). */
const BASELINE = 0.9;
/** The subject is never enlarged more than this (it would only get blurry). */
const MAX_UPSCALE = 2;
/** How far below the ground line the base stands, as a share of the surface below it. */
const ON_SURFACE = 0.4;

/**
 * Lays the subject out in the scene: scale from a size phrase (default 45% of the scene's height),
 * horizontal position from left/centre/right, the base resting on the scene's ground line for "on
 * the floor" / "on the table" (in front of the line, on the surface), at the bottom or top edge
 * when asked, otherwise on the lower third.
 * @param box the subject's bounding box in its own image
 */
export function layoutSubject(options: {
  box: { width: number; height: number };
  scene: RawPixels;
  geometry?: PlacementGeometry | undefined;
}): SubjectLayout {
  const { box, scene, geometry } = options;
  const W = scene.width;
  const H = scene.height;
  const share = geometry?.scale ?? { height: SUBJECT_HEIGHT, width: SUBJECT_WIDTH };
  const scale = Math.min((share.height * H) / box.height, (share.width * W) / box.width, MAX_UPSCALE);
  const width = Math.max(1, Math.round(box.width * scale));
  const height = Math.max(1, Math.round(box.height * scale));
  const centreX = { left: 0.27, centre: 0.5, right: 0.73 }[geometry?.horizontal ?? 'centre'] * W;
  const left = Math.round(Math.min(W - width, Math.max(0, centreX - width / 2)));
  const groundLine = geometry?.surface ? findGroundLine(scene) : undefined;
  let baseline: number;
  let rests: SubjectLayout['rests'];
  if (geometry?.surface && groundLine !== undefined) {
    baseline = groundLine + ON_SURFACE * (H - groundLine);
    rests = 'ground-line';
  } else if (geometry?.vertical === 'bottom' || geometry?.surface === 'floor') {
    baseline = 0.96 * H;
    rests = 'bottom';
  } else if (geometry?.vertical === 'top') {
    baseline = 0.04 * H + height;
    rests = 'top';
  } else if (geometry?.scale === undefined || geometry.scale.height < 0.8) {
    baseline = BASELINE * H;
    rests = 'lower-third';
  } else {
    baseline = (H + height) / 2;
    rests = 'centre';
  }
  baseline = Math.min(H, Math.max(height, baseline));
  const top = Math.round(baseline) - height;
  return { left, top, width, height, scale, baseline: Math.round(baseline), rests, groundLine };
}

/**
 * The scene's ground line: the row between 35% and 92% of the height where the brightness steps
 * most consistently across the whole width (a table's back edge against a wall, a floor line).
 * Texture averages out along a row; a real horizon does not.
 * @returns the row, or undefined when no row stands out (three times the median step, at least 4 levels)
 */
export function findGroundLine(scene: RawPixels): number | undefined {
  const { width, height, channels, data } = scene;
  const rowLum = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    let sum = 0;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      sum +=
        0.2126 * (data[i] as number) + 0.7152 * (data[i + 1] as number) + 0.0722 * (data[i + 2] as number);
    }
    rowLum[y] = sum / width;
  }
  const span = Math.max(1, Math.round(height * 0.01));
  const from = Math.round(height * 0.35);
  const to = Math.round(height * 0.92);
  const steps: number[] = [];
  let best = -1;
  let bestStep = 0;
  for (let y = from; y < to; y++) {
    const step = Math.abs(
      (rowLum[Math.min(height - 1, y + span)] as number) - (rowLum[Math.max(0, y - span)] as number),
    );
    steps.push(step);
    if (step > bestStep) {
      bestStep = step;
      best = y;
    }
  }
  const sorted = [...steps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return best >= 0 && bestStep >= 4 && bestStep >= 3 * median ? best : undefined;
}
