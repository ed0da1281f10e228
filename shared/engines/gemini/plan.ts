import { ValidationError } from '../../errors.js';
import type { StagePlan } from '../engine.js';
import {
  GEMINI_MODELS,
  type GeminiModelProfile,
  RETIRED_GEMINI_MODELS,
  resolveGeminiModel,
} from './models.js';

/** The `seed` field of the service is an int32. */
const SEED_MIN = -(2 ** 31);
const SEED_MAX = 2 ** 31 - 1;
const TEMPERATURE_MAX = 2;

/** A checked stage: what will be sent, and what will not. */
export interface GeminiStagePlan {
  model: string;
  profile: GeminiModelProfile;
  /** `thinkingLevel` to send (uppercase enum value), when the model takes one and the stage set it. */
  thinkingLevel?: string | undefined;
  warnings: string[];
}

/**
 * Checks one stage against the limits of its model, so that no call is made that the service
 * would refuse for a known reason.
 * @param stage the stage to check
 * @param defaultModel the model used when the stage names none
 * @returns the model, its profile and the warnings to record in lineage
 * @throws ValidationError (ENGINE_PARAMETER_INVALID) naming the model and every parameter out of range
 */
export function planGeminiStage(stage: StagePlan, defaultModel: string): GeminiStagePlan {
  const model = stage.model ?? defaultModel;
  const where = `stage ${stage.index} ("${stage.name}")`;
  const resolved = resolveGeminiModel(model);
  if (!resolved) {
    const retired = RETIRED_GEMINI_MODELS[model];
    throw new ValidationError('ENGINE_PARAMETER_INVALID', [
      retired
        ? `${where}: model "${model}" has been shut down by Google; use "${retired}"`
        : `${where}: model "${model}" is not a Gemini image model; expected one of ${Object.keys(GEMINI_MODELS).join(', ')}`,
    ]);
  }
  const { profile, assumed } = resolved;
  const p = stage.params;
  const issues: string[] = [];
  const warnings: string[] = [];
  const bad = (param: string, text: string) => issues.push(`${where}: ${param} ${text} on model ${model}`);

  const images = 1 + stage.referenceCount;
  if (images > profile.maxInputImages) {
    bad(
      'references',
      `take at most ${profile.maxInputImages - 1} (${profile.maxInputImages} images with the stage input) but got ${stage.referenceCount}`,
    );
  }
  if (!Number.isInteger(p.seed) || p.seed < SEED_MIN || p.seed > SEED_MAX) {
    bad('seed', `must be a 32-bit integer but got ${p.seed}`);
  }
  if (p.temperature !== undefined && !(p.temperature >= 0 && p.temperature <= TEMPERATURE_MAX)) {
    bad('temperature', `must be between 0 and ${TEMPERATURE_MAX} but got ${p.temperature}`);
  }
  if (p.aspectRatio !== undefined && !profile.aspectRatios.includes(p.aspectRatio)) {
    bad('aspectRatio', `must be one of ${profile.aspectRatios.join(', ')} but got "${p.aspectRatio}"`);
  }
  if (p.imageSize !== undefined) checkImageSize(p.imageSize, profile, bad);

  let thinkingLevel: string | undefined;
  if (p.thinkingLevel !== undefined) {
    const level = p.thinkingLevel.toLowerCase();
    if (profile.thinkingLevels.length === 0) {
      warnings.push(`thinkingLevel "${p.thinkingLevel}" ignored: model ${model} does not take one`);
    } else if (!profile.thinkingLevels.includes(level)) {
      bad(
        'thinkingLevel',
        `must be one of ${profile.thinkingLevels.join(', ')} but got "${p.thinkingLevel}"`,
      );
    } else {
      thinkingLevel = level.toUpperCase();
    }
  }
  if (issues.length > 0)
    throw new ValidationError('ENGINE_PARAMETER_INVALID', issues, { details: { model } });

  if (assumed) {
    warnings.push(
      `model ${model} is not in the engine's table; checked against the limits of the default model`,
    );
  }
  if (p.guidanceScale !== undefined) {
    warnings.push(`guidanceScale ${p.guidanceScale} ignored: Gemini image models have no guidance scale`);
  }
  if (p.steps !== undefined)
    warnings.push(`steps ${p.steps} ignored: Gemini image models have no step count`);
  return { model, profile, thinkingLevel, warnings };
}

function checkImageSize(
  size: string,
  profile: GeminiModelProfile,
  bad: (p: string, t: string) => void,
): void {
  if (profile.imageSizes.length === 0) {
    bad('imageSize', `is not accepted: the output size is fixed (about 1024 px); got "${size}"`);
  } else if (!profile.imageSizes.includes(size)) {
    const hint = /^\d+k$/.test(size) ? ` (use an uppercase K: "${size.toUpperCase()}")` : '';
    bad('imageSize', `must be one of ${profile.imageSizes.join(', ')} but got "${size}"${hint}`);
  }
}
