import type { ErrorCode } from '../../errors.js';
import { type PlacementGeometry, placementGeometry, withoutGeometry } from '../../subject/index.js';
import type { StageParams, StagePlan } from '../engine.js';
import { type ParsedPrompt, parseEditPrompt } from './parse-prompt.js';
import { OPERATIONS } from './vocabulary.js';

/** Engines that can do what the local engine cannot (free-form, generative edits). */
export const SUGGESTED_ENGINES = ['gemini'] as const;

/** The guidance scale that means "default strength". */
export const DEFAULT_GUIDANCE_SCALE = 7.5;
/** Guidance scales outside this range are clamped (with a warning). */
export const GUIDANCE_RANGE = [1, 15] as const;

/** A stage the local engine can run: its parsed prompt, strength factor and warnings. */
export interface CheckedStage {
  kind: 'checked';
  parsed: ParsedPrompt;
  strengthFactor: number;
  warnings: string[];
  /** Position and scale phrases of a placement ("bottom left", "on the table", "small"). */
  placement?: PlacementGeometry | undefined;
}

/** A reason the stage cannot run, with the stable code to raise it under. */
export interface StageProblem {
  kind: 'problem';
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Checks a stage against the local engine: parameters, prompt, reference count.
 * Pure; the caller turns a problem into the error class its contract asks for.
 * @returns the checked stage, or the problem that stops it
 */
export function checkStage(stage: StagePlan, model: string): CheckedStage | StageProblem {
  const where = `stage ${stage.index}${stage.name ? ` (${stage.name})` : ''}`;
  if (stage.model !== undefined && stage.model !== model) {
    return {
      kind: 'problem',
      code: 'ENGINE_PARAMETER_INVALID',
      message: `The local engine has one model, ${model}, but ${where} asks for ${stage.model}.`,
    };
  }
  const params = _paramWarnings(stage.params);
  if (params.kind === 'problem') return params;
  const read = parseEditPrompt(stage.prompt);
  // Geometry phrases are read by placement-phrases.ts; for a placement they are not unknown words.
  const placing = read.operations.some((o) => o.op === 'place-subject');
  const parsed = placing ? { ...read, unrecognized: withoutGeometry(read.unrecognized) } : read;
  if (parsed.unrecognized.length > 0) {
    const quoted = parsed.unrecognized.map((u) => `"${u}"`).join(', ');
    return {
      kind: 'problem',
      code: 'EDIT_NOT_UNDERSTOOD',
      message:
        `The local engine did not understand ${quoted} in the prompt of ${where}. It knows a fixed vocabulary ` +
        `(${OPERATIONS.join(', ')}; see docs/local-engine.md). For free-form edits use the ` +
        `${SUGGESTED_ENGINES.join(' or ')} engine.${_hint(stage.prompt)}`,
      details: { unrecognized: parsed.unrecognized, suggestedEngines: [...SUGGESTED_ENGINES] },
    };
  }
  if (parsed.conflicts.length > 0) {
    return {
      kind: 'problem',
      code: 'EDIT_NOT_UNDERSTOOD',
      message: `The prompt of ${where} asks for contradictory edits: ${parsed.conflicts.join('; ')}. Split them into stages or drop one.`,
      details: { conflicts: parsed.conflicts },
    };
  }
  if (parsed.operations.length === 0) {
    return {
      kind: 'problem',
      code: 'EDIT_NOT_UNDERSTOOD',
      message: `The prompt of ${where} names no edit the local engine knows${parsed.constraints.length ? ' (only constraints)' : ''}. See docs/local-engine.md for its vocabulary.`,
      details: { constraints: parsed.constraints },
    };
  }
  const available = stage.referenceCount + 1;
  const missing = parsed.images.filter((n) => n < 1 || n > available);
  if (missing.length > 0) {
    return {
      kind: 'problem',
      code: 'REFERENCE_MISSING',
      message:
        `The prompt of ${where} uses image ${missing.join(', image ')}, but the stage has ${stage.referenceCount} ` +
        `reference image${stage.referenceCount === 1 ? '' : 's'} (image 1 is the stage input, image 2 the first reference; ` +
        `images 1–${available} exist).`,
      details: { missing, referenceCount: stage.referenceCount },
    };
  }
  const place = parsed.operations.find((o) => o.op === 'place-subject');
  if (place && place.subjectImage === place.sceneImage) {
    return {
      kind: 'problem',
      code: 'EDIT_NOT_POSSIBLE',
      message: `The prompt of ${where} places the subject of image ${place.subjectImage} into its own scene; name two different images.`,
    };
  }
  const unused = Array.from({ length: stage.referenceCount }, (_, i) => i + 2).filter(
    (n) => !parsed.images.includes(n),
  );
  const warnings = [...params.warnings];
  if (unused.length > 0)
    warnings.push(`reference image ${unused.join(', ')} not used by any local operation`);
  const geometry = placing ? placementGeometry(stage.prompt) : undefined;
  return {
    kind: 'checked',
    parsed,
    strengthFactor: params.strengthFactor,
    warnings,
    ...(geometry?.phrases.length ? { placement: geometry } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

// A background described in words ("with a white marble counter") is generative; the local
// engine can only put another image behind the subject.
const DESCRIBED_BACKGROUND =
  /\b(?:replace|swap|change)\s+(?:the\s+)?(?:background|backdrop)\s+(?:with|for|to)\s+(?!(?:the\s+)?(?:image|photo|picture)\s*#?\d)/i;

function _hint(prompt: string): string {
  if (!DESCRIBED_BACKGROUND.test(prompt)) return '';
  return (
    " The local engine replaces a background only with another image: add it to the stage's references and " +
    'write "replace the background with image 2"; a background described in words needs "engine": "gemini".'
  );
}

function _paramWarnings(
  params: StageParams,
): { kind: 'params'; warnings: string[]; strengthFactor: number } | StageProblem {
  const warnings: string[] = [];
  for (const name of ['steps', 'aspectRatio', 'imageSize', 'temperature', 'thinkingLevel'] as const) {
    if (params[name] !== undefined) warnings.push(`${name} is not applicable to the local engine (ignored)`);
  }
  let guidance = params.guidanceScale ?? DEFAULT_GUIDANCE_SCALE;
  if (!Number.isFinite(guidance) || guidance <= 0) {
    return {
      kind: 'problem',
      code: 'ENGINE_PARAMETER_INVALID',
      message: `Expected a positive guidanceScale for the local engine but received ${params.guidanceScale}.`,
    };
  }
  const [lo, hi] = GUIDANCE_RANGE;
  if (guidance < lo || guidance > hi) {
    const clamped = Math.min(hi, Math.max(lo, guidance));
    warnings.push(`guidanceScale ${guidance} clamped to ${clamped} (the local engine accepts ${lo}–${hi})`);
    guidance = clamped;
  }
  return { kind: 'params', warnings, strengthFactor: guidance / DEFAULT_GUIDANCE_SCALE };
}
