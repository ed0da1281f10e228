import {
  layoutSubject,
  type PlacementGeometry,
  type SubjectLayout,
  type SubjectMask,
} from '../../subject/index.js';
import { compositeOver, cutOut } from './background.js';
import { applyCurves } from './curves.js';
import {
  type Frame,
  frameToLinear,
  frameToSharp,
  joinAlpha,
  linearToFrame,
  linearToSrgb,
  sharpToFrame,
  splitAlpha,
  srgbToLinear,
} from './pixels.js';

/** Where and how the subject was placed, for the stage's details. */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
  scale: number;
  /** Linear-light gains applied to the subject to match the scene's colour and brightness. */
  colourGains: [number, number, number];
  shadow: { centreX: number; centreY: number; radiusX: number; radiusY: number; opacity: number };
  /** Side the scene's light seems to come from, judged by its brighter half. */
  lightFrom: 'left' | 'right' | 'front';
  /** What the base rests on, the ground line when found, and the prompt's geometry phrases. */
  layout?: {
    rests: SubjectLayout['rests'];
    baseline: number;
    groundLine?: number | undefined;
    phrases: string[];
  };
}

const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * Places the subject of one image into a scene: scaled and positioned by the prompt's geometry
 * phrases (placement-layout.ts; by default 45% of the scene's height, centred, on the lower
 * third), colour and brightness pulled toward the scene's (in linear light), with a soft contact
 * shadow cast away from the scene's brighter side.
 * @param strength 1 = default; scales colour matching and shadow opacity
 * @returns the composite, the size of the scene, and where the subject went
 */
export async function placeSubject(
  subject: Frame,
  mask: SubjectMask,
  scene: Frame,
  strength: number,
  geometry?: PlacementGeometry,
): Promise<{ frame: Frame; placement: Placement }> {
  const box = _boundingBox(mask);
  const layout = layoutSubject({ box, scene, geometry });
  const { width, height, scale, left, top } = layout;
  const layer = await sharpToFrame(
    frameToSharp(cutOut(subject, mask))
      .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' }),
  );
  const sceneStats = await _sceneStats(scene);
  const colourGains = _matchGains(layer, sceneStats.mean, Math.min(2, strength));
  const { rgb, alpha } = splitAlpha(layer);
  const matched = applyCurves(
    rgb,
    colourGains.map((g) => (v: number) => linearToSrgb(srgbToLinear(v) * g)) as unknown as Parameters<
      typeof applyCurves
    >[1],
  );
  const shadow = {
    centreX: left + width / 2 - sceneStats.lightBias * width * 0.35,
    centreY: top + height,
    radiusX: width * (0.5 + Math.abs(sceneStats.lightBias) * 0.2),
    radiusY: Math.max(2, width * 0.07),
    opacity: Math.min(0.85, 0.6 * strength),
  };
  const shaded = _castShadow(scene, shadow);
  const frame = compositeOver(shaded, joinAlpha(matched, alpha), { left, top });
  const lightFrom =
    Math.abs(sceneStats.lightBias) < 0.05 ? 'front' : sceneStats.lightBias > 0 ? 'right' : 'left';
  const placement: Placement = { left, top, width, height, scale, colourGains, shadow, lightFrom };
  if (geometry) {
    placement.layout = {
      rests: layout.rests,
      baseline: layout.baseline,
      groundLine: layout.groundLine,
      phrases: geometry.phrases,
    };
  }
  return { frame, placement };
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

function _boundingBox(mask: SubjectMask): { left: number; top: number; width: number; height: number } {
  let minX = mask.width;
  let minY = mask.height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if ((mask.alpha[y * mask.width + x] as number) > 24) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
  }
  return { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** Mean linear colour of the scene, and which half is brighter (-1 left … +1 right). */
async function _sceneStats(scene: Frame): Promise<{ mean: [number, number, number]; lightBias: number }> {
  const small = await sharpToFrame(frameToSharp(scene).removeAlpha().resize(64, 64, { fit: 'fill' }));
  const lin = frameToLinear(small);
  const mean: [number, number, number] = [0, 0, 0];
  let leftLum = 0;
  let rightLum = 0;
  for (let p = 0; p < 64 * 64; p++) {
    let lum = 0;
    for (let c = 0; c < 3; c++) {
      const v = (lin[p * 3 + c] as number) / 65535;
      mean[c] = (mean[c] as number) + v / (64 * 64);
      lum += (LUMA[c] as number) * v;
    }
    if (p % 64 < 32) leftLum += lum;
    else rightLum += lum;
  }
  return { mean, lightBias: (rightLum - leftLum) / (rightLum + leftLum || 1) };
}

/** Per-channel linear gains that move the subject's mean colour and brightness toward the scene's. */
function _matchGains(
  layer: Frame,
  scene: [number, number, number],
  strength: number,
): [number, number, number] {
  const lin = frameToLinear({ ...layer, data: splitAlpha(layer).rgb.data, channels: 3 });
  const { alpha } = splitAlpha(layer);
  const mean = [0, 0, 0];
  let total = 0;
  for (let p = 0; p < layer.width * layer.height; p++) {
    const a = alpha ? (alpha[p] as number) / 255 : 1;
    total += a;
    for (let c = 0; c < 3; c++) mean[c] = (mean[c] as number) + (a * (lin[p * 3 + c] as number)) / 65535;
  }
  const subject = mean.map((m) => Math.max(1e-4, m / Math.max(1, total)));
  const lum = (v: readonly number[]) =>
    LUMA[0] * (v[0] as number) + LUMA[1] * (v[1] as number) + LUMA[2] * (v[2] as number);
  const ys = Math.max(1e-4, lum(scene));
  const yo = lum(subject);
  const k = 0.35 * strength;
  const chroma = [0, 1, 2].map((c) =>
    Math.min(1.25, Math.max(0.8, ((scene[c] as number) / ys / ((subject[c] as number) / yo)) ** k)),
  );
  const keepLum = yo / lum(chroma.map((g, c) => g * (subject[c] as number)));
  const brightness = Math.min(1.4, Math.max(0.7, (ys / yo) ** (0.5 * k)));
  return chroma.map((g) => g * keepLum * brightness) as [number, number, number];
}

function _castShadow(scene: Frame, s: Placement['shadow']): Frame {
  const lin = frameToLinear(scene);
  const x0 = Math.max(0, Math.floor(s.centreX - 2 * s.radiusX));
  const x1 = Math.min(scene.width - 1, Math.ceil(s.centreX + 2 * s.radiusX));
  const y0 = Math.max(0, Math.floor(s.centreY - 2 * s.radiusY));
  const y1 = Math.min(scene.height - 1, Math.ceil(s.centreY + 2 * s.radiusY));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const q = ((x - s.centreX) / s.radiusX) ** 2 + ((y - s.centreY) / s.radiusY) ** 2;
      const f = 1 - s.opacity * Math.exp(-2.5 * q);
      const i = (y * scene.width + x) * 3;
      for (let c = 0; c < 3; c++) lin[i + c] = Math.round((lin[i + c] as number) * f);
    }
  }
  return linearToFrame(lin, scene.width, scene.height, 3);
}
