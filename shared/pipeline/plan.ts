import type { Engine, EnginePlan, StagePlan } from '../engines/engine.js';
import { PermanentError } from '../errors.js';
import type { Location } from '../lineage/records.js';
import { composePrompt, lintPrompt, type Request } from '../request/index.js';
import { drawSeed } from './identity.js';
import type { JobContext } from './job-context.js';
import { folderOf } from './layout.js';
import { resolveReference } from './references.js';

/** A stage, checked by its engine, ready to run. */
export interface PlannedStage {
  index: number;
  stage: Request['stages'][number];
  engine: Engine;
  plan: StagePlan;
  enginePlan: EnginePlan;
  references: Location[];
  /** Lint and engine warnings. */
  warnings: string[];
}

/**
 * Checks every stage before any runs: engine known, references allowed, parameters
 * within what the engine and model take. So no engine is ever called for a request
 * that some later stage would refuse.
 * @throws PermanentError (ENGINE_UNKNOWN) or ValidationError from the engines
 */
export function planStages(ctx: JobContext, request: Request): PlannedStage[] {
  const { deps } = ctx;
  return request.stages.map((stage, i) => {
    const index = i + 1;
    const engineName = stage.engine ?? request.engine ?? deps.config.defaultEngine;
    const engine = deps.engines.get(engineName);
    if (!engine) {
      throw new PermanentError(
        'ENGINE_UNKNOWN',
        `stages[${i}]: engine "${engineName}" is not available here; available: ${[...deps.engines.keys()].join(', ')}`,
      );
    }
    const references = stage.references.map((ref, r) =>
      resolveReference(
        ref,
        {
          bucket: ctx.request.bucket,
          folder: folderOf(ctx.request.name),
          allowedBuckets: deps.config.referenceBuckets,
          requestName: ctx.request.name,
        },
        `stages[${i}].references[${r}]`,
      ),
    );
    const plan: StagePlan = {
      index,
      name: stage.name,
      model: stage.model ?? request.model,
      prompt: composePrompt(stage),
      referenceCount: references.length,
      params: {
        seed: stage.seed ?? drawSeed(ctx.job.id, index),
        guidanceScale: stage.guidanceScale,
        steps: stage.steps,
        aspectRatio: stage.aspectRatio,
        imageSize: stage.imageSize,
        temperature: stage.temperature,
        thinkingLevel: stage.thinkingLevel,
        ...(stage.extra ? { extra: stage.extra } : {}),
      },
    };
    const enginePlan = engine.plan(plan);
    // The 40–80 word advice is for generative models; the local engine takes short vocabulary phrases.
    const lint = engine.name === 'local' ? [] : lintPrompt(stage.prompt, `stage ${index} (${stage.name})`);
    const warnings = [...lint, ...enginePlan.warnings];
    return { index, stage, engine, plan, enginePlan, references, warnings };
  });
}
