/**
 * The `local` engine: deterministic, offline, sharp-based edits for a documented prompt
 * vocabulary (docs/local-engine.md), including placing a product into a scene.
 */
import { EngineError, PipelineError, ValidationError } from '../../errors.js';
import {
  type Engine,
  type EngineImage,
  type EnginePlan,
  type EngineRequest,
  type EngineResult,
  keepsPixels,
  type StagePlan,
} from '../engine.js';
import { type CheckedStage, checkStage, type StageProblem } from './check-stage.js';
import { encodePng } from './pixels.js';
import { runOperations } from './run-operations.js';

export { DEFAULT_GUIDANCE_SCALE, GUIDANCE_RANGE, SUGGESTED_ENGINES } from './check-stage.js';
export { type ParsedOperation, type ParsedPrompt, parseEditPrompt } from './parse-prompt.js';
export { isOperationName, OPERATIONS, type OperationName } from './vocabulary.js';

/** Stable engine name used in requests and lineage. */
export const LOCAL_ENGINE_NAME = 'local';
/** The versioned id of the local engine's algorithms; bumped whenever outputs change. */
export const LOCAL_ENGINE_MODEL = 'darkroom-local-2';

/** The local operations whose output depends on the seed. */
export const SEEDED_OPERATIONS: ReadonlySet<string> = new Set(['film-grain']);

/** Options of {@link createLocalEngine}. */
export interface LocalEngineOptions {
  /** Model id reported in results (default {@link LOCAL_ENGINE_MODEL}). */
  model?: string;
}

/**
 * Creates the local engine.
 * @param options optional model id override
 * @returns an {@link Engine} named `local`
 * @example
 * const engine = createLocalEngine();
 * engine.plan(stage); // throws ValidationError EDIT_NOT_UNDERSTOOD for prompts it cannot do
 * const result = await engine.edit({ stage, input, references: [] });
 */
export function createLocalEngine(options: LocalEngineOptions = {}): Engine<EngineImage> {
  const model = options.model ?? LOCAL_ENGINE_MODEL;

  return {
    name: LOCAL_ENGINE_NAME,
    generative: false,

    plan(stage: StagePlan): EnginePlan {
      const checked = checkStage(stage, model);
      if (checked.kind === 'problem') {
        throw new ValidationError(checked.code, [checked.message], { details: checked.details });
      }
      // Only film grain draws on the seed; every other local operation is deterministic.
      const seeded = checked.parsed.operations.some((o) => SEEDED_OPERATIONS.has(o.op));
      return {
        model,
        warnings: checked.warnings,
        recomputable: true,
        ...(seeded ? {} : { seedIndependent: true }),
      };
    },

    async edit(request: EngineRequest): Promise<EngineResult<EngineImage>> {
      const checked = _checkedOrThrow(checkStage(request.stage, model));
      const images = [request.input, ...request.references];
      const needed = Math.max(1, ...checked.parsed.images);
      if (needed > images.length) {
        throw new EngineError(
          'REFERENCE_MISSING',
          `The prompt uses image ${needed}, but the call carries only ${images.length} image(s).`,
        );
      }
      try {
        const run = await runOperations({
          images,
          operations: checked.parsed.operations,
          strengthFactor: checked.strengthFactor,
          seed: request.stage.params.seed,
          signal: request.signal,
          placement: checked.placement,
        });
        const data = await encodePng(run.frame, { fast: request.fastEncoding });
        const { width, height } = run.frame;
        return {
          image: {
            data,
            mimeType: 'image/png',
            width,
            height,
            ...(keepsPixels(run.frame) ? { pixels: run.frame } : {}),
          },
          model,
          warnings: checked.warnings,
          details: {
            operations: run.steps,
            constraints: checked.parsed.constraints,
            notes: checked.parsed.notes,
            strengthFactor: checked.strengthFactor,
            seed: request.stage.params.seed,
            ...run.facts,
          },
        };
      } catch (err) {
        if (err instanceof PipelineError) throw err;
        throw new EngineError('EDIT_NOT_POSSIBLE', `The local engine failed on this stage: ${String(err)}`, {
          cause: err,
        });
      }
    },
  };
}

function _checkedOrThrow(checked: CheckedStage | StageProblem): CheckedStage {
  if (checked.kind === 'problem')
    throw new EngineError(checked.code, checked.message, { details: checked.details });
  return checked;
}
