import type { StagePlan } from '../engines/engine.js';
import { composePrompt, lintPrompt, type Request } from '../request/index.js';
import { drawSeed } from './identity.js';
import type { JobContext } from './job-context.js';
import { folderOf } from './layout.js';
import { resolveReference } from './references.js';
import type { PlannedStage } from './types.js';
import { variantWarning } from './variant-warning.js';

/** What a revision inherits from the previous job on the same image. */
export interface Inheritance {
  /** Seeds the previous job's stages ran with, by stage name. */
  seeds: Map<string, number>;
}

/** Seeds of a stage's variants: distinct, derived from the stage seed. */
export function variantSeeds(seed: number, variants: number): number[] {
  return Array.from({ length: variants }, (_, k) => (seed + k * 7919) % 2147483648);
}

/**
 * What an engine is asked to plan and run for one stage of a request: the composed prompt,
 * the model (the stage's, else the request's) and the stage's parameters.
 * @param options.index the stage's number in the job; `seed` the seed it runs with;
 *   `referenceCount` how many reference images go with it
 */
export function stagePlanOf(
  request: Request,
  stage: Request['stages'][number],
  options: { index: number; seed: number; referenceCount: number },
): StagePlan {
  return {
    index: options.index,
    name: stage.name,
    model: stage.model ?? request.model,
    prompt: composePrompt(stage),
    referenceCount: options.referenceCount,
    params: {
      seed: options.seed,
      guidanceScale: stage.guidanceScale,
      steps: stage.steps,
      aspectRatio: stage.aspectRatio,
      imageSize: stage.imageSize,
      temperature: stage.temperature,
      thinkingLevel: stage.thinkingLevel,
      ...(stage.extra ? { extra: stage.extra } : {}),
    },
  };
}

/**
 * Checks every stage before any runs: engine known, references allowed, parameters
 * within what the engine and model take. So no engine is ever called for a request
 * that some later stage would refuse.
 * @param options.firstIndex the number of the first edit stage: 1, or 2 after an upscale stage
 * @throws PermanentError (ENGINE_UNKNOWN) or ValidationError from the engines
 */
/** The engine a stage names: its own, else the request's, else the deployment's default. */
export function stageEngineName(ctx: JobContext, request: Request, stage: Request['stages'][number]): string {
  return stage.engine ?? request.engine ?? ctx.deps.config.defaultEngine;
}

/**
 * Whether no image of the job goes to a generative engine: no upscale (always generative), and
 * every stage on an engine that is not (an unknown engine counts as not; planning refuses it).
 */
export function sentToNoModel(ctx: JobContext, request: Request): boolean {
  if (request.upscale) return false;
  return request.stages.every(
    (s) => ctx.deps.engines.get(stageEngineName(ctx, request, s))?.generative !== true,
  );
}

export function planStages(
  ctx: JobContext,
  request: Request,
  inherited?: Inheritance,
  options: { firstIndex?: number } = {},
): PlannedStage[] {
  const { deps } = ctx;
  return request.stages.map((stage, i) => {
    const index = i + (options.firstIndex ?? 1);
    const engine = ctx.requireEngine(stageEngineName(ctx, request, stage), `stages[${i}]`);
    const references = stage.references.map((ref, r) =>
      resolveReference(
        ref,
        {
          bucket: ctx.request.bucket,
          folder: folderOf(ctx.request.name),
          allowedBuckets: deps.config.referenceBuckets,
          requestName: ctx.request.name,
          scope: deps.config.referenceScope,
        },
        `stages[${i}].references[${r}]`,
      ),
    );
    const inheritedSeed = inherited?.seeds.get(stage.name);
    const seedSource =
      typeof stage.seed === 'number'
        ? 'request'
        : stage.seed !== 'random' && inheritedSeed !== undefined
          ? 'inherited'
          : 'drawn';
    const seed =
      typeof stage.seed === 'number'
        ? stage.seed
        : seedSource === 'inherited'
          ? (inheritedSeed as number)
          : drawSeed(ctx.job.id, index);
    const plan = stagePlanOf(request, stage, { index, seed, referenceCount: references.length });
    const seeds = variantSeeds(seed, stage.variants);
    if (stage.from) {
      // Nothing is edited: the stage's result is an earlier job's output, checked when it is read.
      return {
        index,
        stage,
        engine,
        plan,
        enginePlan: { model: 'pinned', warnings: [] },
        references,
        warnings: [],
        seeds,
        seedSource,
        path: `stages[${i}]`,
        from: stage.from,
      };
    }
    const enginePlan = engine.plan(plan);
    // The 40–80 word advice is for generative models; a deterministic engine takes short vocabulary phrases.
    const lint = engine.generative ? lintPrompt(stage.prompt ?? '', `stage ${index} (${stage.name})`) : [];
    const identical = variantWarning({ variants: stage.variants, plan: enginePlan, engine: engine.name });
    const warnings = [...lint, ...enginePlan.warnings, ...(identical ? [identical] : [])];
    const lane = request.lane ?? deps.config.defaultLane;
    if (lane === 'batch' && !engine.batch) {
      warnings.push(`the ${engine.name} engine has no batch lane; stage ${index} ran interactively`);
    }
    return {
      lane: lane === 'batch' && engine.batch ? lane : undefined,
      index,
      stage,
      engine,
      plan,
      enginePlan,
      references,
      warnings,
      seeds,
      seedSource,
      path: `stages[${i}]`,
    };
  });
}
