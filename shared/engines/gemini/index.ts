/**
 * The `gemini` engine: prompt-driven edits and multi-image fusion with Google's Gemini image
 * models ("Nano Banana") through `@google/genai`. See docs/gemini.md.
 */
import type { GoogleGenAI } from '@google/genai';
import { clockFrom } from '../../clock.js';
import { checkEngineOutput } from '../../imaging/index.js';
import type {
  Engine,
  EngineImage,
  EnginePlan,
  EngineRequest,
  EngineResult,
  OutputCheck,
  StagePlan,
} from '../engine.js';
import { createGeminiBatchLane } from './batch-lane.js';
import {
  createGeminiClient,
  type GeminiAuthOptions,
  type GeminiClientSettings,
  resolveGeminiClientSettings,
} from './client.js';
import { estimateGeminiCost, type GeminiPriceOverrides, priceFor } from './cost.js';
import { classifyGeminiError } from './errors.js';
import { DEFAULT_GEMINI_MODEL } from './models.js';
import { type GeminiStagePlan, planGeminiStage } from './plan.js';
import { capturingFetch, type RawReplyCapture } from './raw-reply.js';
import { prepareParts, requestConfig } from './request-parts.js';
import { readGeminiReply } from './response.js';
import {
  GEMINI_RETRY_DEFAULTS,
  type GeminiRetryPolicy,
  type RetryClock,
  SYSTEM_CLOCK,
  withGeminiRetries,
} from './retry.js';

export { BATCH_PRICE_FACTOR } from './batch-lane.js';
export { DEFAULT_GEMINI_MODEL, GEMINI_MODELS, type GeminiModelProfile, type GeminiPrice } from './models.js';
export { GEMINI_RETRY_DEFAULTS } from './retry.js';

/** The engine's name in requests and lineage. */
export const GEMINI_ENGINE_NAME = 'gemini';

/** Options of {@link createGeminiEngine}. */
export interface GeminiEngineOptions {
  /** Where credentials and endpoints are read from (the SDK's standard variables); read lazily. */
  env: NodeJS.ProcessEnv;
  /** Model for stages that name none; default {@link DEFAULT_GEMINI_MODEL}. */
  defaultModel?: string | undefined;
  /** Price overrides by model id (USD per million tokens), merged over the built-in table. */
  prices?: GeminiPriceOverrides | undefined;
  /** Attempts per edit, the first included; default 5. */
  maxAttempts?: number | undefined;
  /** Timeout of one HTTP attempt (also sent as `X-Server-Timeout`); default 180 s. */
  perAttemptTimeoutMs?: number | undefined;
  /** Further retry knobs (backoff base and cap, minimum time for an attempt, no-image retries). */
  retry?: Partial<GeminiRetryPolicy> | undefined;
  /** Longest side of every image sent; default by output size (1K → 1536, 2K → 2048, …). */
  maxInputSide?: number | undefined;
  /** google-auth-library options for Vertex with a project (tests inject an auth client). */
  googleAuthOptions?: GeminiAuthOptions | undefined;
  sleep?: RetryClock['sleep'] | undefined;
  random?: RetryClock['random'] | undefined;
  now?: RetryClock['now'] | undefined;
}

/**
 * Creates the `gemini` engine. Nothing is read or built until the first `plan()` or `edit()`.
 * @param options environment, default model, prices, retry and input-size settings
 * @returns an Engine named `gemini`
 * @example
 * const engine = createGeminiEngine({ env: process.env, defaultModel: config.geminiModel });
 * engine.plan(stage); // throws ValidationError before any call when the stage breaks a model limit
 * const result = await engine.edit({ stage, input, references, deadline, signal });
 */
export function createGeminiEngine(options: GeminiEngineOptions): Engine<EngineImage> {
  const defaultModel = options.defaultModel ?? DEFAULT_GEMINI_MODEL;
  const policy: GeminiRetryPolicy = {
    ...GEMINI_RETRY_DEFAULTS,
    ...options.retry,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.perAttemptTimeoutMs !== undefined
      ? { perAttemptTimeoutMs: options.perAttemptTimeoutMs }
      : {}),
  };
  const clock: RetryClock = {
    ...clockFrom({ now: options.now, sleep: options.sleep }),
    random: options.random ?? SYSTEM_CLOCK.random,
  };
  let settings: GeminiClientSettings | undefined;
  let client: GoogleGenAI | undefined;
  const getSettings = () => {
    settings ??= resolveGeminiClientSettings(options.env);
    return settings;
  };
  const getClient = () => {
    client ??= createGeminiClient(getSettings(), options.googleAuthOptions);
    return client;
  };

  const plan = (stage: StagePlan): GeminiStagePlan => {
    const checked = planGeminiStage(stage, defaultModel);
    getSettings();
    return checked;
  };

  return {
    name: GEMINI_ENGINE_NAME,
    generative: true,
    batch: createGeminiBatchLane({ plan, prices: options.prices, maxInputSide: options.maxInputSide }),
    plan(stage: StagePlan): EnginePlan {
      const { model, warnings } = plan(stage);
      return { model, warnings };
    },
    async edit(request: EngineRequest): Promise<EngineResult<EngineImage>> {
      const checked = plan(request.stage);
      const { model, profile } = checked;
      const params = request.stage.params;
      const { maxSide, prepared, parts } = await prepareParts(request, checked, options.maxInputSide);
      const ai = getClient();
      const backend = getSettings().backend;
      let seed = params.seed;
      const check: OutputCheck =
        request.checkOutput ?? ((output, context) => checkEngineOutput(output, { source: context?.source }));
      const {
        value: reply,
        attempts,
        failures,
      } = await withGeminiRetries(
        async ({ timeoutMs, noImageRetry }) => {
          // A reply with no image and no reason is tried again with another seed: the same seed
          // tends to lead the model down the same path.
          seed = noImageRetry > 0 ? retrySeed(params.seed, noImageRetry) : params.seed;
          const config = requestConfig(checked, { ...params, seed }, timeoutMs, request.signal);
          const raw: RawReplyCapture = {};
          if (backend === 'gemini-api' && config.httpOptions) config.httpOptions.fetch = capturingFetch(raw);
          try {
            const res = await ai.models.generateContent({
              model,
              contents: [{ role: 'user', parts }],
              config,
            });
            const reply = readGeminiReply(res, model, raw);
            // Checked inside the loop: bytes that are not an image get one more try, like no image.
            return { ...reply, image: await check(reply.image, { source: `Gemini ${model}` }) };
          } catch (err) {
            throw classifyGeminiError(err, { model, signal: request.signal, timeoutMs, now: clock.now });
          }
        },
        { policy, clock, model, deadline: request.deadline, signal: request.signal },
      );
      const costUsd = estimateGeminiCost({
        price: priceFor(profile, options.prices),
        profile,
        usage: reply.usage,
        imageTokens: reply.imageTokens,
        imageSize: params.imageSize,
      });
      return {
        image: reply.image,
        model,
        warnings: checked.warnings,
        usage: reply.usage,
        costUsd,
        details: {
          backend,
          seed,
          ...(seed !== params.seed ? { requestedSeed: params.seed } : {}),
          finishReason: reply.finishReason,
          finishMessage: reply.finishMessage,
          modelVersion: reply.modelVersion,
          responseId: reply.responseId,
          text: reply.text || undefined,
          thoughtImages: reply.thoughtImages,
          attempts,
          failures,
          maxInputSide: maxSide,
          sent: prepared.map((p) => p.sent),
        },
      };
    },
  };
}

/**
 * The seed of the `n`-th retry after a reply with no image: a fixed step from the stage's seed
 * (within int32), so a rerun of the same stage retries with the same seeds.
 * @param seed the stage's seed
 * @param n the retry, from 1
 */
export function retrySeed(seed: number, n: number): number {
  return (((seed + n * 1_000_003) % 2 ** 31) + 2 ** 31) % 2 ** 31;
}
