import type { Engine, EngineImage, EngineRequest, EngineResult } from '../engines/engine.js';
import { compositeOver, cutOut } from '../engines/local/background.js';
import {
  decodeFrame,
  encodePng,
  type Frame,
  frameToSharp,
  sharpToFrame,
  splitAlpha,
} from '../engines/local/pixels.js';
import { EngineError } from '../errors.js';
import { checkEngineOutput } from '../imaging/index.js';
import { layoutSubject, placementGeometry, separateSubject, transformPlane } from '../subject/index.js';
import { type DriftFigures, measureDrift } from './drift.js';
import type { DriftOptions } from './protect-schema.js';

/** One engine call of a protected stage, with the drift it showed. */
export interface ProtectAttempt extends DriftFigures {
  seed: number;
  accepted: boolean;
}

/** Where the product went, and what each attempt measured: the stage's `details.protect`. */
export interface ProtectRecord {
  subject: 'subject';
  maskSource: string;
  position: { left: number; top: number; width: number; height: number };
  canvas: { width: number; height: number };
  attempts: ProtectAttempt[];
  chosenSeed: number;
  thresholds: { minOverlap: number; maxStructuralDifference: number };
}

/** Feather of the composited edge in pixels (Gaussian sigma): hides the seam, keeps the interior exact. */
const FEATHER = 0.8;

/**
 * Runs a generative stage with the product protected: the product is separated from the stage
 * input (its alpha, else `separateSubject`, as in the local engine), laid out on the target canvas
 * (the first reference's size, placed by the prompt's geometry phrases, or where it already is when
 * there is no reference), and sent to the engine with the scene and the prompt. The drift of the
 * product in each output is measured; past the thresholds the stage retries with a new recorded seed.
 * The original product pixels are then composited back over the chosen output at that position
 * with a feathered edge, so the model's shadow and surroundings stay and the product is the
 * source's, pixel for pixel inside its mask (up to resampling when the output size differs).
 * @throws EngineError EDIT_NOT_POSSIBLE when the product cannot be separated
 * @throws EngineError PRODUCT_ALTERED when every attempt drifted and `onDrift` is `fail`
 */
export async function editProtected(options: {
  /** What runs each attempt: the stage's engine, or its batch lane (shared/batch/lane.ts). */
  engine: Pick<Engine, 'edit'>;
  request: EngineRequest;
  drift: DriftOptions;
}): Promise<EngineResult<EngineImage>> {
  const { engine, request, drift } = options;
  const source = await decodeFrame(request.input.data);
  const mask = await separateSubject(source, 'the stage input (the product to protect)');
  const scene = request.references[0] ? await decodeFrame(request.references[0].data) : undefined;
  const canvasSize = scene
    ? { width: scene.width, height: scene.height }
    : { width: source.width, height: source.height };
  const box = _box(mask.alpha, source.width, source.height);
  const position = scene
    ? layoutSubject({ box, scene, geometry: placementGeometry(request.stage.prompt) })
    : { ...box, left: box.left, top: box.top };
  const layer = await sharpToFrame(
    frameToSharp(cutOut(source, mask))
      .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
      .resize(position.width, position.height, { fit: 'fill', kernel: 'lanczos3' }),
  );
  const placed = _onCanvas(layer, position, canvasSize);
  const white = {
    data: Buffer.alloc(canvasSize.width * canvasSize.height * 3, 255),
    ...canvasSize,
    channels: 3 as const,
  };
  const canvasPng = await encodePng(compositeOver(white, layer, position));
  const attempts: ProtectAttempt[] = [];
  let best: { result: EngineResult; frame: Frame; figures: DriftFigures; seed: number } | undefined;
  const firstSeed = request.stage.params.seed;
  for (let k = 0; k <= drift.retries; k++) {
    const seed = k === 0 ? firstSeed : _nextSeed(firstSeed, k);
    const result = await engine.edit({
      ...request,
      stage: { ...request.stage, params: { ...request.stage.params, seed } },
      input: { data: canvasPng, mimeType: 'image/png', ...canvasSize },
    });
    // The reply is checked (type, pixel cap) before it is decoded to measure drift.
    const checked = await (request.checkOutput ?? checkEngineOutput)(result.image);
    const frame = await decodeFrame(checked.data);
    const at = await _atSize(placed, frame.width, frame.height);
    const figures = measureDrift({
      output: frame.data,
      outputChannels: frame.channels,
      product: at.rgb,
      alpha: at.alpha,
      width: frame.width,
      height: frame.height,
    });
    const accepted =
      figures.maskOverlap >= drift.minOverlap &&
      figures.structuralDifference <= drift.maxStructuralDifference;
    attempts.push({ seed, ..._rounded(figures), accepted });
    if (!best || accepted || figures.maskOverlap > best.figures.maskOverlap)
      best = { result, frame, figures, seed };
    if (accepted) break;
  }
  if (!best) throw new Error('protect: no attempt ran');
  const record: ProtectRecord = {
    subject: 'subject',
    maskSource: mask.source,
    position: { left: position.left, top: position.top, width: position.width, height: position.height },
    canvas: canvasSize,
    attempts,
    chosenSeed: best.seed,
    thresholds: { minOverlap: drift.minOverlap, maxStructuralDifference: drift.maxStructuralDifference },
  };
  const warnings = [...best.result.warnings];
  if (!attempts.some((a) => a.accepted)) {
    const figures = attempts.map(
      (a) => `seed ${a.seed}: overlap ${a.maskOverlap}, structural difference ${a.structuralDifference}`,
    );
    const message =
      `The model altered the protected product in all ${attempts.length} attempt(s) (${figures.join('; ')}; ` +
      `limits: overlap ≥ ${drift.minOverlap}, structural difference ≤ ${drift.maxStructuralDifference}).`;
    if (drift.onDrift === 'fail')
      throw new EngineError('PRODUCT_ALTERED', message, { details: { protect: record } });
    warnings.push(
      `${message} Kept the attempt with seed ${best.seed} and composited the original product over it.`,
    );
  } else if (attempts.length > 1) {
    warnings.push(
      `protect: the product drifted with seed ${firstSeed}; seed ${best.seed} kept it (attempt ${attempts.length}).`,
    );
  }
  const final = await _atSize(placed, best.frame.width, best.frame.height);
  const feathered = await transformPlane(
    final.alpha,
    { width: best.frame.width, height: best.frame.height },
    (i) => i.blur(FEATHER),
  );
  // The feather only softens the edge: inside the mask the product stays exactly opaque.
  for (let i = 0; i < feathered.length; i++) if (final.alpha[i] === 255) feathered[i] = 255;
  const overlay = _join(final.rgb, feathered, best.frame.width, best.frame.height);
  const base = splitAlpha(best.frame).rgb;
  const data = await encodePng(compositeOver(base, overlay, { left: 0, top: 0 }));
  return {
    ...best.result,
    image: { data, mimeType: 'image/png', width: best.frame.width, height: best.frame.height },
    warnings,
    details: { ...best.result.details, protect: record },
  };
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

function _rounded(f: DriftFigures): DriftFigures {
  return {
    maskOverlap: Number(f.maskOverlap.toFixed(4)),
    structuralDifference: Number(f.structuralDifference.toFixed(4)),
  };
}

/** A new seed per retry, spread over the seed range and recorded with the attempt. */
function _nextSeed(seed: number, k: number): number {
  return (seed + k * 1_000_003) % 2_147_483_648;
}

function _box(alpha: Buffer, width: number, height: number) {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((alpha[y * width + x] as number) > 24) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = y;
      }
    }
  }
  return { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** The product layer on a transparent canvas (RGBA), clipped to the canvas. */
function _onCanvas(
  layer: Frame,
  at: { left: number; top: number },
  size: { width: number; height: number },
): Frame {
  const out = Buffer.alloc(size.width * size.height * 4);
  for (let y = 0; y < layer.height; y++) {
    const cy = y + at.top;
    if (cy < 0 || cy >= size.height) continue;
    for (let x = 0; x < layer.width; x++) {
      const cx = x + at.left;
      if (cx < 0 || cx >= size.width) continue;
      layer.data.copy(
        out,
        (cy * size.width + cx) * 4,
        (y * layer.width + x) * 4,
        (y * layer.width + x) * 4 + 4,
      );
    }
  }
  return { data: out, ...size, channels: 4 };
}

/** The placed product at the output's size (resampled when the model answered another size). */
async function _atSize(
  placed: Frame,
  width: number,
  height: number,
): Promise<{ rgb: Buffer; alpha: Buffer }> {
  const frame =
    placed.width === width && placed.height === height
      ? placed
      : await sharpToFrame(frameToSharp(placed).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
  const { rgb, alpha } = splitAlpha(frame);
  return { rgb: rgb.data, alpha: alpha ?? Buffer.alloc(width * height, 255) };
}

function _join(rgb: Buffer, alpha: Buffer, width: number, height: number): Frame {
  const out = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    out[i * 4] = rgb[i * 3] as number;
    out[i * 4 + 1] = rgb[i * 3 + 1] as number;
    out[i * 4 + 2] = rgb[i * 3 + 2] as number;
    out[i * 4 + 3] = alpha[i] as number;
  }
  return { data: out, width, height, channels: 4 };
}
