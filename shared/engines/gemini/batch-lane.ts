import type { GenerateContentResponse } from '@google/genai';
import type { EngineBatchLane, EngineResult, PreparedBatchRequest, StagePlan } from '../engine.js';
import { estimateGeminiCost, type GeminiPriceOverrides, priceFor } from './cost.js';
import type { GeminiStagePlan } from './plan.js';
import { prepareParts, requestConfig } from './request-parts.js';
import { readGeminiReply } from './response.js';

/** Batch Mode charges 50 % of the interactive price (shared/reference/gemini-batch.md, "Cost"). */
export const BATCH_PRICE_FACTOR = 0.5;

/**
 * The Gemini engine's batch lane: prepares the very request `edit()` would send, as an
 * `InlinedRequest` (`contents`, `config`), and reads a batch response with `edit()`'s checks.
 * @param options how the engine plans a stage, its prices and input-size override
 */
export function createGeminiBatchLane(options: {
  plan: (stage: StagePlan) => GeminiStagePlan;
  prices?: GeminiPriceOverrides | undefined;
  maxInputSide?: number | undefined;
}): EngineBatchLane {
  return {
    async prepare(request): Promise<PreparedBatchRequest> {
      const checked = options.plan(request.stage);
      const { maxSide, prepared, parts } = await prepareParts(request, checked, options.maxInputSide);
      const config = requestConfig(checked, request.stage.params, 0, undefined);
      // A batch request carries no per-attempt timeout: the batch service runs it on its own clock.
      delete config.httpOptions;
      return {
        model: checked.model,
        request: { contents: [{ role: 'user', parts }], config },
        details: {
          lane: 'batch',
          seed: request.stage.params.seed,
          maxInputSide: maxSide,
          sent: prepared.map((p) => p.sent),
        },
      };
    },

    async read({ stage, prepared, response }): Promise<EngineResult> {
      const checked = options.plan({ ...stage, model: prepared.model });
      const res = response as GenerateContentResponse;
      const reply = readGeminiReply(res, checked.model, {
        finishMessage: res.candidates?.[0]?.finishMessage,
      });
      const interactiveCostUsd = estimateGeminiCost({
        price: priceFor(checked.profile, options.prices),
        profile: checked.profile,
        usage: reply.usage,
        imageTokens: reply.imageTokens,
        imageSize: stage.params.imageSize,
      });
      const costUsd = Math.round(interactiveCostUsd * BATCH_PRICE_FACTOR * 1e6) / 1e6;
      return {
        image: reply.image,
        model: checked.model,
        warnings: checked.warnings,
        usage: reply.usage,
        costUsd,
        details: {
          ...prepared.details,
          backend: 'gemini-api',
          finishReason: reply.finishReason,
          finishMessage: reply.finishMessage,
          modelVersion: reply.modelVersion,
          responseId: reply.responseId,
          text: reply.text || undefined,
          thoughtImages: reply.thoughtImages,
          interactiveCostUsd,
          savedUsd: Math.round((interactiveCostUsd - costUsd) * 1e6) / 1e6,
        },
      };
    },
  };
}
