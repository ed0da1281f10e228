import type { EnginePlan, StagePlan } from '../engines/engine.js';
import { InputImageError, ValidationError } from '../errors.js';
import type { Request } from '../request/index.js';
import { drawSeed } from './identity.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import type { PlannedStage } from './types.js';

/**
 * Upscale-first: a request's `upscale` option adds a stage named `upscale` before the edits
 * when the source is small. The decision depends only on the source (its exact generation)
 * and the request, so every attempt of a job makes the same one and numbers stages alike:
 * `upscale` is stage 1 and the edits follow from 2; without it the edits are 1, 2, ….
 */

/** The name of the stage upscale-first adds (a request's own stages may not use it). */
export const UPSCALE_STAGE_NAME = 'upscale';

/** The request's `upscale` option, defaults applied. */
export type UpscaleOptions = NonNullable<Request['upscale']>;

/** What upscale-first decided for one source. */
export interface UpscaleDecision {
  run: boolean;
  /** The factor the upscale runs (or would run) with. */
  factor: number;
  /** The source's shorter side, in pixels. */
  sourceSide: number;
  /** Below this shorter side the upscale runs: the larger of `minSourceSide` and MIN_INPUT_SIDE. */
  threshold: number;
}

/**
 * Decides whether the source needs the upscale stage. An omitted `factor` is 2 when that
 * reaches the threshold, else 4.
 * @param options the request's `upscale` option
 * @param source the loaded source's size (after EXIF rotation)
 * @param minInputSide MIN_INPUT_SIDE: a source below it would be refused, so it is upscaled too
 * @example decideUpscale({ minSourceSide: 512, engine: 'replicate', model: 'nightmareai/real-esrgan' }, { width: 300, height: 200 }, 256)
 * // → { run: true, factor: 4, sourceSide: 200, threshold: 512 }
 */
export function decideUpscale(
  options: UpscaleOptions,
  source: { width: number; height: number },
  minInputSide: number,
): UpscaleDecision {
  const sourceSide = Math.min(source.width, source.height);
  const threshold = Math.max(options.minSourceSide, minInputSide);
  const factor = options.factor ?? (sourceSide * 2 >= threshold ? 2 : 4);
  return { run: sourceSide < threshold, factor, sourceSide, threshold };
}

/**
 * The minimum side to load the source with: with upscale-first the source is checked by
 * {@link planUpscaleFirst} instead, against what the upscale will make of it; an output-only
 * job (no stages) edits nothing, so any size may be resized and converted.
 */
export function sourceMinSide(request: Request): number | undefined {
  return request.upscale || request.stages.length === 0 ? 1 : undefined;
}

/**
 * Checks the upscale stage before any engine call, as planning does for the edit stages:
 * engine known, stage name free, model and factor accepted by the engine.
 * @throws PermanentError (ENGINE_UNKNOWN, ENGINE_NOT_CONFIGURED) or ValidationError naming `upscale`
 */
export function checkUpscale(ctx: JobContext, request: Request): void {
  if (!request.upscale) return;
  planUpscaleStage(ctx, request, { factor: request.upscale.factor ?? 4 });
}

/**
 * Decides upscale-first for the loaded source and plans the stage when it runs.
 * @param inheritedSeeds seeds of the previous job's stages by name (a revision reuses its upscale)
 * @returns the `upscale` stage (number 1), or undefined when the request has no `upscale`
 *   option or the source is large enough
 * @throws InputImageError (IMAGE_TOO_SMALL) when the source stays below MIN_INPUT_SIDE even after the factor
 */
export function planUpscaleFirst(
  ctx: JobContext,
  request: Request,
  source: LoadedAsset,
  inheritedSeeds?: ReadonlyMap<string, number>,
): PlannedStage | undefined {
  if (!request.upscale) return undefined;
  const { width, height } = source.loaded.source;
  const minInputSide = ctx.deps.config.limits.minInputSide;
  const decision = decideUpscale(request.upscale, { width, height }, minInputSide);
  if (!decision.run) return undefined;
  const upscaled = decision.sourceSide * decision.factor;
  if (upscaled < minInputSide) {
    const hint = decision.factor < 4 ? ' or set "upscale.factor" to 4' : '';
    throw new InputImageError(
      'IMAGE_TOO_SMALL',
      `image "${source.location.name}": The image is ${width}×${height}; upscaled ${decision.factor}× its shorter side would be ${upscaled} px, still below the ${minInputSide} px edits need (MIN_INPUT_SIDE). Start from a larger original${hint}.`,
      { details: { width, height, minSide: minInputSide, factor: decision.factor, upscaledSide: upscaled } },
    );
  }
  return planUpscaleStage(ctx, request, { factor: decision.factor, inheritedSeeds });
}

// ─── internals ────────────────────────────────────────────────────────────────

function planUpscaleStage(
  ctx: JobContext,
  request: Request,
  options: { factor: number; inheritedSeeds?: ReadonlyMap<string, number> | undefined },
): PlannedStage {
  const upscale = request.upscale as UpscaleOptions;
  const engine = ctx.requireEngine(upscale.engine, 'upscale.engine');
  const clash = request.stages.findIndex((s) => s.name === UPSCALE_STAGE_NAME);
  if (clash !== -1) {
    throw new ValidationError('REQUEST_INVALID', [
      `stages[${clash}].name: "${UPSCALE_STAGE_NAME}" is the name of the stage the "upscale" option adds; rename this stage`,
    ]);
  }
  const inherited = options.inheritedSeeds?.get(UPSCALE_STAGE_NAME);
  const seed = inherited ?? drawSeed(ctx.job.id, 1);
  const prompt = `Upscale the source ${options.factor}× before editing`;
  const extra = { scale: options.factor };
  const plan: StagePlan = {
    index: 1,
    name: UPSCALE_STAGE_NAME,
    model: upscale.model,
    prompt,
    referenceCount: 0,
    params: { seed, extra },
  };
  let enginePlan: EnginePlan;
  try {
    enginePlan = engine.plan(plan);
  } catch (err) {
    throw err instanceof ValidationError ? _relabel(err) : err;
  }
  return {
    index: 1,
    stage: {
      name: UPSCALE_STAGE_NAME,
      prompt,
      references: [],
      keep: [],
      avoid: [],
      variants: 1,
      engine: upscale.engine,
      model: upscale.model,
      extra,
    },
    engine,
    plan,
    enginePlan,
    references: [],
    warnings: [...enginePlan.warnings],
    seeds: [seed],
    seedSource: inherited === undefined ? 'drawn' : 'inherited',
    path: 'upscale',
  };
}

/** Engines name the stage by number (`stages[1]`, `stage 1 ("upscale")`); the request calls it `upscale`. */
function _relabel(err: ValidationError): ValidationError {
  const issues = err.issues.map((issue) => {
    const relabelled = issue.replace(/^(?:stages\[\d+\]|stage \d+ \("upscale"\))/, UPSCALE_STAGE_NAME);
    return relabelled === issue ? `${UPSCALE_STAGE_NAME}: ${issue}` : relabelled;
  });
  return new ValidationError(err.code, issues, {
    cause: err,
    ...(err.details ? { details: err.details } : {}),
  });
}
