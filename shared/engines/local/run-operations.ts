import { TransientError } from '../../errors.js';
import { type PlacementGeometry, separateSubject } from '../../subject/index.js';
import type { EngineImage } from '../engine.js';
import { blurBackground, cutOut, opaque, replaceBackground } from './background.js';
import {
  allChannels,
  applyCurves,
  type ChannelCurves,
  chainCurves,
  contrastCurve,
  exposureCurve,
  matteCurve,
  medianTone,
  tealOrangeCurves,
  temperatureCurves,
} from './curves.js';
import { placeSubject } from './fuse.js';
import type { ParsedOperation } from './parse-prompt.js';
import {
  blurLinear,
  type Frame,
  frameToLinear,
  imageFrame,
  joinAlpha,
  linearToFrame,
  splitAlpha,
} from './pixels.js';
import { blackAndWhite, filmGrain, saturate, sepia, sharpen, soften, vignette } from './tone.js';
import { OPERATIONS, type OperationName } from './vocabulary.js';

/** Everything one run needs: images by number (index 0 = image 1), what to do, how strongly. */
export interface RunInput {
  /** Encoded bytes, with their decoded pixels when the caller has them. */
  images: readonly Pick<EngineImage, 'data' | 'pixels'>[];
  operations: readonly ParsedOperation[];
  /** guidanceScale / 7.5, already clamped. */
  strengthFactor: number;
  seed: number;
  signal?: AbortSignal | undefined;
  /** Position and scale phrases of a placement. */
  placement?: PlacementGeometry | undefined;
}

/** The edited frame and what was done, for the stage's details. */
export interface RunOutput {
  frame: Frame;
  steps: { op: OperationName; phrase: string; intensity: number; strength: number }[];
  facts: Record<string, unknown>;
}

/** The strength an operation runs at: its intensity times the guidance factor, within 0.1…2.5. */
export function operationStrength(op: ParsedOperation, strengthFactor: number): number {
  return Math.min(2.5, Math.max(0.1, op.intensity * strengthFactor));
}

/**
 * Runs parsed operations in the engine's fixed order: composition and background first, then
 * tone and colour, then detail, vignette and grain last (so grain is never blurred or toned).
 * @throws EngineError EDIT_NOT_POSSIBLE when a subject cannot be separated
 * @throws TransientError DEADLINE_EXCEEDED when `signal` aborts between operations
 */
export async function runOperations(input: RunInput): Promise<RunOutput> {
  const ordered = [...input.operations].sort((a, b) => OPERATIONS.indexOf(a.op) - OPERATIONS.indexOf(b.op));
  const strength = (op: ParsedOperation) => operationStrength(op, input.strengthFactor);
  const find = (name: OperationName) => ordered.find((o) => o.op === name);
  const image = (n: number) => imageFrame(input.images[n - 1] as Pick<EngineImage, 'data' | 'pixels'>);
  const facts: Record<string, unknown> = {};
  const blur = find('blur-background');
  const place = find('place-subject');
  const replace = find('replace-background');
  const remove = find('remove-background');

  let frame: Frame;
  if (place) {
    const subjectNumber = place.subjectImage ?? 1;
    const subject = await image(subjectNumber);
    const mask = await separateSubject(subject, `image ${subjectNumber}`);
    let scene = await opaque(await image(place.sceneImage ?? 2));
    if (blur) scene = await _blurAll(scene, strength(blur));
    const placed = await placeSubject(subject, mask, scene, strength(place), input.placement);
    frame = placed.frame;
    facts.subject = _maskFacts(mask);
    facts.placement = placed.placement;
  } else {
    frame = await image(1);
    if (replace || remove || blur) {
      const mask = await separateSubject(frame, 'image 1');
      facts.subject = _maskFacts(mask);
      if (replace) {
        const background = await image(replace.backgroundImage ?? 2);
        frame = await replaceBackground(frame, mask, background, {
          blurStrength: blur ? strength(blur) : undefined,
        });
      } else if (remove) {
        frame = cutOut(frame, mask);
      } else if (blur) {
        frame = await blurBackground(frame, mask, strength(blur));
      }
    }
  }

  const { rgb, alpha } = splitAlpha(frame);
  let pixels = rgb;
  for (const op of ordered) {
    if (input.signal?.aborted) {
      throw new TransientError(
        'DEADLINE_EXCEEDED',
        `The time budget ran out before the local engine applied ${op.op}.`,
        {
          cause: input.signal.reason,
        },
      );
    }
    pixels = await _applyTone(pixels, op.op, strength(op), input.seed);
  }
  return {
    frame: joinAlpha(pixels, alpha),
    steps: ordered.map((o) => ({
      op: o.op,
      phrase: o.phrase,
      intensity: o.intensity,
      strength: strength(o),
    })),
    facts,
  };
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

function _maskFacts(mask: Awaited<ReturnType<typeof separateSubject>>): Record<string, unknown> {
  return {
    source: mask.source,
    coverage: Number(mask.coverage.toFixed(4)),
    background: mask.background,
    tolerance: mask.tolerance === undefined ? undefined : Number(mask.tolerance.toFixed(2)),
  };
}

async function _blurAll(frame: Frame, strength: number): Promise<Frame> {
  const { width, height } = frame;
  const sigma = Math.max(1.5, Math.max(width, height) * 0.008 * strength);
  return linearToFrame(
    await blurLinear(frameToLinear(frame), { width, height, channels: 3 }, sigma),
    width,
    height,
    3,
  );
}

/** Curves for the operations that are pure per-channel tone curves, and a saturation factor. */
function _grade(
  op: OperationName,
  s: number,
  pivot: number,
): { curves?: ChannelCurves; saturation?: number } | undefined {
  switch (op) {
    case 'brighter':
      return { curves: allChannels(exposureCurve(s)) };
    case 'darker':
      return { curves: allChannels(exposureCurve(-s)) };
    case 'more-contrast':
      return { curves: allChannels(contrastCurve(s, pivot)) };
    case 'less-contrast':
      return { curves: allChannels(contrastCurve(-s, pivot)) };
    case 'warmer':
      return { curves: temperatureCurves(s) };
    case 'cooler':
      return { curves: temperatureCurves(-s) };
    case 'golden-hour':
      return {
        curves: chainCurves(temperatureCurves(1.8 * s), allChannels(exposureCurve(0.25 * s))),
        saturation: 1 + 0.15 * s,
      };
    case 'more-saturation':
      return { saturation: 1 + 0.4 * s };
    case 'less-saturation':
      return { saturation: Math.max(0, 1 - 0.4 * s) };
    case 'look-portra-400':
      return {
        curves: chainCurves(
          chainCurves(temperatureCurves(0.8 * s), allChannels(contrastCurve(-0.4 * s))),
          allChannels(matteCurve(0.35 * s)),
        ),
        saturation: Math.max(0, 1 - 0.05 * s),
      };
    case 'look-velvia':
      return {
        curves: chainCurves(allChannels(contrastCurve(0.6 * s)), temperatureCurves(-0.1 * s)),
        saturation: 1 + 0.5 * s,
      };
    case 'look-teal-orange':
      return {
        curves: chainCurves(tealOrangeCurves(s), allChannels(contrastCurve(0.25 * s))),
        saturation: 1 + 0.1 * s,
      };
    case 'matte':
      return { curves: allChannels(matteCurve(s)), saturation: Math.max(0, 1 - 0.12 * s) };
    default:
      return undefined;
  }
}

async function _applyTone(frame: Frame, op: OperationName, s: number, seed: number): Promise<Frame> {
  // Contrast pivots on the image's own median, so a night sky gains contrast where its tones are.
  const pivot = op === 'more-contrast' || op === 'less-contrast' ? medianTone(frame) : 0.5;
  const grade = _grade(op, s, pivot);
  if (grade) {
    let out = grade.curves ? applyCurves(frame, grade.curves) : frame;
    if (grade.saturation !== undefined) out = await saturate(out, grade.saturation);
    return out;
  }
  switch (op) {
    case 'black-and-white':
      return blackAndWhite(frame, 1);
    case 'sepia':
      return sepia(frame, s);
    case 'sharpen':
      return sharpen(frame, s);
    case 'soften':
      return soften(frame, s);
    case 'vignette':
      return vignette(frame, s);
    case 'film-grain':
      return filmGrain(frame, s, seed);
    default:
      // Composition and background operations ran before the tone pass.
      return frame;
  }
}
