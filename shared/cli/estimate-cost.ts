import { BATCH_PRICE_FACTOR, DEFAULT_GEMINI_MODEL, GEMINI_MODELS } from '../engines/gemini/index.js';
import { DEFAULT_REPLICATE_MODEL, REPLICATE_PROFILES } from '../engines/replicate/index.js';
import type { Request } from '../request/index.js';

/**
 * Cost estimates before anything runs, from the engines' exported price tables: the
 * Gemini model profiles (`GEMINI_MODELS`) and the Replicate model profiles
 * (`REPLICATE_PROFILES`). The local engine is free.
 */

/** Prompt tokens one input image costs on the Gemini 3 image models ($0.0011 per image at $2/M on 3 Pro). */
export const GEMINI_INPUT_IMAGE_TOKENS = 560;
/** Gemini 2.5 Flash Image counts 258 tokens per input image since 2025-11-04. */
const GEMINI_25_INPUT_IMAGE_TOKENS = 258;
/** A rough characters-per-token ratio for English prompt text. */
const CHARS_PER_TOKEN = 4;

/** What one stage is expected to cost. */
export interface CostEstimate {
  engine: string;
  model: string;
  /** US dollars, or undefined when it cannot be known before the run. */
  usd: number | undefined;
  /** How the number was reached, or why there is none. */
  basis: string;
}

/** The stage facts an estimate needs. */
export interface StageCostInput {
  engine: string;
  model?: string | undefined;
  prompt: string;
  /** Reference images besides the stage input. */
  referenceCount: number;
  imageSize?: string | undefined;
  /** Outputs asked for (default 1); each is one engine call. */
  variants?: number | undefined;
  /** True when the stage continues `from` an earlier result (no engine call). */
  pinned?: boolean | undefined;
}

/**
 * Estimates one stage on one engine: every variant is a call; a stage pinned `from` an earlier
 * result costs nothing. The stage cache may make a run cheaper than the estimate, never dearer.
 * @param stage engine, model (the engine's default when absent), prompt, references and image size
 * @param defaults the Gemini model of this deployment (`GEMINI_MODEL`)
 * @example estimateStageCost({ engine: 'gemini', prompt: 'warmer', referenceCount: 0 }).usd // ≈ 0.0675
 */
export function estimateStageCost(
  stage: StageCostInput,
  defaults: { geminiModel?: string } = {},
): CostEstimate {
  if (stage.pinned) {
    return {
      engine: stage.engine,
      model: 'pinned',
      usd: 0,
      basis: 'continues from an earlier result: no engine call',
    };
  }
  const variants = stage.variants ?? 1;
  const one = _oneCall(stage, defaults);
  if (variants === 1 || one.usd === undefined) return one;
  return { ...one, usd: _round(one.usd * variants), basis: `${variants} variants × (${one.basis})` };
}

/** A request's estimate: each stage, and the total when every stage has one. */
export interface RequestEstimate {
  stages: CostEstimate[];
  /** Sum of the known stage estimates. */
  knownUsd: number;
  /** True when every stage has an estimate (so `knownUsd` is the whole cost). */
  complete: boolean;
  /** The same in the batch lane: Gemini stages at the batch rate, other engines as they are. */
  batchUsd: number;
}

/**
 * The batch lane's price of a stage estimate: Gemini Batch Mode charges 50 % of the interactive
 * price (shared/reference/gemini-batch.md); engines without a batch lane run interactively.
 */
export function batchLaneUsd(estimate: CostEstimate): number | undefined {
  if (estimate.usd === undefined) return undefined;
  return estimate.engine === 'gemini' ? _round(estimate.usd * BATCH_PRICE_FACTOR) : estimate.usd;
}

/**
 * Estimates every stage of a parsed request, on the engine each stage would run on.
 * @param defaults the deployment's default engine and Gemini model
 */
export function estimateRequestCost(
  request: Request,
  defaults: { engine: string; geminiModel?: string },
): RequestEstimate {
  const stages = request.stages.map((stage) =>
    estimateStageCost(
      {
        engine: stage.engine ?? request.engine ?? defaults.engine,
        model: stage.model ?? request.model,
        prompt: stage.prompt ?? '',
        referenceCount: stage.references.length,
        imageSize: stage.imageSize,
        variants: stage.variants,
        pinned: stage.from !== undefined,
      },
      defaults,
    ),
  );
  return {
    stages,
    knownUsd: _round(stages.reduce((sum, s) => sum + (s.usd ?? 0), 0)),
    complete: stages.every((s) => s.usd !== undefined),
    batchUsd: _round(stages.reduce((sum, s) => sum + (batchLaneUsd(s) ?? 0), 0)),
  };
}

/** `$0.0675`, `$0`, or `unknown`. */
export function formatUsd(usd: number | undefined): string {
  if (usd === undefined) return 'unknown';
  if (usd === 0) return '$0';
  return `$${usd
    .toFixed(usd < 0.01 ? 6 : 4)
    .replace(/0+$/, '')
    .replace(/\.$/, '')}`;
}

// ── internal ──────────────────────────────────────────────────────────────

function _oneCall(stage: StageCostInput, defaults: { geminiModel?: string }): CostEstimate {
  if (stage.engine === 'local') {
    return {
      engine: 'local',
      model: stage.model ?? 'darkroom-local-2',
      usd: 0,
      basis: 'runs on this machine',
    };
  }
  if (stage.engine === 'gemini') return _gemini(stage, defaults.geminiModel ?? DEFAULT_GEMINI_MODEL);
  if (stage.engine === 'replicate') return _replicate(stage);
  return {
    engine: stage.engine,
    model: stage.model ?? '-',
    usd: undefined,
    basis: 'no price table for this engine',
  };
}

function _gemini(stage: StageCostInput, defaultModel: string): CostEstimate {
  const model = stage.model ?? defaultModel;
  const known = GEMINI_MODELS[model];
  const profile = known ?? GEMINI_MODELS[DEFAULT_GEMINI_MODEL];
  if (!profile) return { engine: 'gemini', model, usd: undefined, basis: 'no price table' };
  const size = stage.imageSize ?? profile.defaultImageSize;
  const outputTokens =
    profile.imageTokensBySize[size] ?? profile.imageTokensBySize[profile.defaultImageSize] ?? 0;
  const perImage = model.startsWith('gemini-2.5') ? GEMINI_25_INPUT_IMAGE_TOKENS : GEMINI_INPUT_IMAGE_TOKENS;
  const inputTokens =
    (1 + stage.referenceCount) * perImage + Math.ceil(stage.prompt.length / CHARS_PER_TOKEN);
  const usd =
    (outputTokens * profile.price.imageOutputPerMillion + inputTokens * profile.price.inputPerMillion) /
    1_000_000;
  const assumed = known ? '' : ` (prices of ${profile.id} assumed)`;
  return {
    engine: 'gemini',
    model,
    usd: _round(usd),
    basis: `${outputTokens} image tokens at ${size} + ~${inputTokens} input tokens; thinking tokens extra${assumed}`,
  };
}

function _replicate(stage: StageCostInput): CostEstimate {
  const model = stage.model ?? DEFAULT_REPLICATE_MODEL;
  const profile = REPLICATE_PROFILES.get(model.split('@')[0] ?? model);
  if (!profile) return { engine: 'replicate', model, usd: undefined, basis: 'model not in the profiles' };
  if (profile.price.kind === 'per-image') {
    return {
      engine: 'replicate',
      model,
      usd: profile.price.usd,
      basis: `per image (${profile.price.source})`,
    };
  }
  return {
    engine: 'replicate',
    model,
    usd: undefined,
    basis: `billed per second of ${profile.price.hardware} at $${profile.price.usd}/s; the run time is not known in advance`,
  };
}

function _round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
