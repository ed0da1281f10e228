import { ValidationError } from '../../errors.js';
import type { StagePlan } from '../engine.js';
import {
  DEFAULT_REPLICATE_MODEL,
  type NumericInput,
  REPLICATE_PROFILES,
  type ReplicateModelProfile,
} from './profiles.js';

/**
 * Stage parameters → a model's input: validation before any call, the mapping of the
 * common parameters to the model's own names, and warnings for what the model ignores.
 */

/** A stage resolved against its model profile. */
export interface ResolvedStage {
  profile: ReplicateModelProfile;
  /** The version to run: the request's `owner/name:version`, else the profile's pin. */
  version?: string | undefined;
  /** Model input without the image field(s). */
  input: Record<string, unknown>;
  warnings: string[];
}

const VERSION_PATTERN = /^[0-9a-f]{64}$/;
// The parameters only Gemini engines use.
const GEMINI_ONLY = ['imageSize', 'temperature', 'thinkingLevel'] as const;
const MAX_SEED = 2 ** 32 - 1;

/**
 * Validates a stage for the Replicate engine and maps its parameters to model inputs.
 * @param stage the stage as planned by the pipeline
 * @returns the profile, version, scalar input and warnings
 * @throws ValidationError (`ENGINE_PARAMETER_INVALID`) naming the model and the parameter
 * @example resolveStage({ ...stage, model: 'black-forest-labs/flux-kontext-dev', params: { seed: 1, steps: 30 } })
 */
export function resolveStage(stage: StagePlan): ResolvedStage {
  const ref = stage.model ?? DEFAULT_REPLICATE_MODEL;
  const [name, version, ...rest] = ref.split(':');
  const profile = REPLICATE_PROFILES.get(name ?? '');
  const fail = (issue: string) =>
    new ValidationError('ENGINE_PARAMETER_INVALID', [`stages[${stage.index}] (${ref}): ${issue}`], {
      details: { model: ref, stage: stage.index },
    });
  if (!profile) {
    throw fail(`model has no Replicate profile; known models: ${[...REPLICATE_PROFILES.keys()].join(', ')}`);
  }
  if (rest.length > 0 || (version !== undefined && !VERSION_PATTERN.test(version))) {
    throw fail(`model version must be 64 lowercase hex characters after ":", got "${ref}"`);
  }
  const { params } = stage;
  const images = 1 + stage.referenceCount;
  if (images > profile.maxImages) {
    throw fail(
      `references: the model accepts ${profile.maxImages} image(s) per call, the stage has ${images} (input + ${stage.referenceCount} reference(s))`,
    );
  }
  const input: Record<string, unknown> = { ...profile.defaults };
  const warnings: string[] = [];
  const ignored = (param: string) =>
    warnings.push(`${param} is ignored by ${profile.model} (it has no such input)`);

  // Requests always carry a prompt; an upscaler has no use for it, which is no surprise worth a warning.
  if (profile.takesPrompt) input.prompt = stage.prompt;

  if (profile.seedField) {
    if (!Number.isInteger(params.seed) || params.seed < 0 || params.seed > MAX_SEED) {
      throw fail(`seed must be an integer from 0 to ${MAX_SEED}, got ${params.seed}`);
    }
    input[profile.seedField] = params.seed;
  }
  mapNumeric({
    name: 'guidanceScale',
    value: params.guidanceScale,
    spec: profile.guidance,
    input,
    fail,
    ignored,
  });
  mapNumeric({ name: 'steps', value: params.steps, spec: profile.steps, input, fail, ignored });

  if (params.aspectRatio !== undefined) {
    if (!profile.aspectRatioField || !profile.aspectRatios) ignored('aspectRatio');
    else if (!profile.aspectRatios.includes(params.aspectRatio)) {
      throw fail(
        `aspectRatio must be one of ${profile.aspectRatios.join(', ')}, got "${params.aspectRatio}"`,
      );
    } else input[profile.aspectRatioField] = params.aspectRatio;
  }
  for (const param of GEMINI_ONLY) if (params[param] !== undefined) ignored(param);

  const extra = profile.extraSchema.safeParse(params.extra ?? {});
  if (!extra.success) {
    throw fail(
      extra.error.issues
        .map((i) => `extra${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`)
        .join('; '),
    );
  }
  Object.assign(input, extra.data);
  if (profile.model.endsWith('-lora') && !input.lora_weights) {
    warnings.push(`${profile.model} runs without a LoRA: extra.lora_weights is not set`);
  }
  return { profile, version: version ?? profile.version, input, warnings };
}

// ─── internals ────────────────────────────────────────────────────────────────

interface _NumericMapping {
  name: string;
  value: number | undefined;
  spec: NumericInput | undefined;
  input: Record<string, unknown>;
  fail: (issue: string) => ValidationError;
  ignored: (param: string) => void;
}

function mapNumeric({ name, value, spec, input, fail, ignored }: _NumericMapping): void {
  if (value === undefined) return;
  if (!spec) {
    ignored(name);
    return;
  }
  const kind = spec.integer ? 'an integer' : 'a number';
  if (
    !Number.isFinite(value) ||
    (spec.integer && !Number.isInteger(value)) ||
    value < spec.min ||
    value > spec.max
  ) {
    throw fail(
      `${name} (input "${spec.field}") must be ${kind} from ${spec.min} to ${spec.max}, got ${value}`,
    );
  }
  input[spec.field] = value;
}
