import { setTimeout as delay } from 'node:timers/promises';
import { clockFrom } from '../../clock.js';
import { PermanentError, TransientError } from '../../errors.js';
import { checkEngineOutput } from '../../imaging/index.js';
import type { Engine, EngineImage, EngineRequest, EngineResult, StagePlan } from '../engine.js';
import { createReplicateApi } from './api.js';
import { estimateCostUsd, modelRef, sanitizedInput } from './details.js';
import { createHttpSender, type ReplicateClock } from './http-client.js';
import { DEFAULT_DATA_URL_MAX_BYTES, prepareImages, type SentImage } from './inputs.js';
import { assertSucceeded, runLifecycle } from './lifecycle.js';
import { outputHostsFrom } from './output-hosts.js';
import { fetchOutputImage } from './outputs.js';
import { resolveStage } from './params.js';

/** Stable engine name used in requests and lineage. */
export const REPLICATE_ENGINE_NAME = 'replicate';
/** Replicate's public API. */
export const DEFAULT_REPLICATE_BASE_URL = 'https://api.replicate.com/v1';

/** Options of {@link createReplicateEngine}; everything but `env` has a default. */
export interface ReplicateEngineOptions {
  /** Reads `REPLICATE_API_TOKEN` (at plan/edit time) and `REPLICATE_BASE_URL`. */
  env: NodeJS.ProcessEnv;
  /** API base URL; beats `REPLICATE_BASE_URL`; default {@link DEFAULT_REPLICATE_BASE_URL}. */
  baseUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
  sleep?: ReplicateClock['sleep'] | undefined;
  now?: (() => number) | undefined;
  random?: (() => number) | undefined;
  /** Delay between polls of `urls.get`; default 1000 ms. */
  pollIntervalMs?: number | undefined;
  /** Longest `Prefer: wait` on create (1–60); default 60 s. */
  maxWaitSeconds?: number | undefined;
  /** No prediction is created with less budget left; default 10 s. */
  minCreateBudgetMs?: number | undefined;
  /** Budget when a request carries no deadline; default 5 min. */
  defaultBudgetMs?: number | undefined;
  /** Images up to this size go inline as data URLs, larger ones through the Files API; default 256 kB. */
  dataUrlMaxBytes?: number | undefined;
  /** Attempts per HTTP call for the retryable cases; default 6. */
  maxAttempts?: number | undefined;
  /** Largest output download; default 50 MiB. */
  maxOutputBytes?: number | undefined;
}

/**
 * Creates the `replicate` engine: Flux Kontext, P Image Edit, Qwen Image Edit (+ LoRA) and
 * Real-ESRGAN through Replicate's HTTP API, called with `fetch` directly.
 * @param options environment and injectable transport, clock and timing
 * @returns an Engine; building it never throws (a missing token fails at plan/edit time)
 * @example
 * const engine = createReplicateEngine({ env: process.env });
 * engine.plan({ index: 0, name: 'label', model: 'black-forest-labs/flux-kontext-pro', prompt, referenceCount: 0, params: { seed: 7 } });
 */
export function createReplicateEngine(options: ReplicateEngineOptions): Engine<EngineImage> {
  const clock: ReplicateClock = {
    ...clockFrom({ now: options.now, sleep: options.sleep ?? _sleep }),
    random: options.random ?? Math.random,
  };
  const baseUrl = (options.baseUrl ?? options.env.REPLICATE_BASE_URL ?? DEFAULT_REPLICATE_BASE_URL).replace(
    /\/+$/,
    '',
  );
  const sender = createHttpSender({
    fetch: options.fetch ?? globalThis.fetch,
    clock,
    maxAttempts: options.maxAttempts,
  });
  const timing = {
    maxWaitSeconds: options.maxWaitSeconds ?? 60,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    minCreateBudgetMs: options.minCreateBudgetMs ?? 10_000,
  };
  const token = (): string => {
    const value = options.env.REPLICATE_API_TOKEN?.trim();
    if (!value) {
      throw new PermanentError(
        'ENGINE_NOT_CONFIGURED',
        'Environment variable REPLICATE_API_TOKEN is required by the replicate engine (a Replicate API token, r8_…)',
      );
    }
    return value;
  };

  return {
    name: REPLICATE_ENGINE_NAME,
    generative: true,

    plan(stage: StagePlan) {
      token();
      const resolved = resolveStage(stage);
      return { model: resolved.profile.model, warnings: resolved.warnings };
    },

    async edit(request: EngineRequest): Promise<EngineResult<EngineImage>> {
      const api = createReplicateApi({
        baseUrl,
        token: token(),
        sender,
        maxOutputBytes: options.maxOutputBytes ?? 50 * 1024 * 1024,
        outputHosts: outputHostsFrom(options.env, baseUrl),
      });
      const resolved = resolveStage(request.stage);
      const { profile, version } = resolved;
      const budget = {
        deadline: request.deadline ?? clock.now() + (options.defaultBudgetMs ?? 300_000),
        signal: request.signal,
      };
      let sent: SentImage[] = [];
      let input: Record<string, unknown> = {};
      const run = await runLifecycle({
        api,
        clock,
        budget,
        timing,
        model: profile.model,
        checkpoint: request.checkpoint,
        resumeFrom: request.resumeFrom,
        buildCreate: async () => {
          const prepared = await prepareImages({
            images: [request.input, ...request.references],
            maxInputSide: profile.maxInputSide,
            dataUrlMaxBytes: options.dataUrlMaxBytes ?? DEFAULT_DATA_URL_MAX_BYTES,
            api,
            budget,
          });
          sent = prepared.sent;
          const images = profile.imageShape === 'single' ? prepared.uris[0] : prepared.uris;
          input = { ...resolved.input, [profile.imageField]: images };
          return { model: profile.model, version, input };
        },
        checkpointExtra: () => ({ sent, input: sanitizedInput(input, profile.imageField, sent) }),
      });
      const { prediction } = run;
      assertSucceeded(prediction, profile.model);
      const output = await fetchOutputImage({
        prediction,
        model: profile.model,
        api,
        budget,
        check: request.checkOutput ?? ((o, context) => checkEngineOutput(o, { source: context?.source })),
      });
      const predictTime = prediction.metrics?.predict_time;
      return {
        image: output.image,
        model: modelRef(profile.model, version, prediction.version),
        warnings: [...resolved.warnings, ...run.warnings, ...output.warnings],
        costUsd: estimateCostUsd(profile.price, predictTime),
        details: {
          predictionId: prediction.id,
          version: version ?? prediction.version ?? null,
          status: prediction.status,
          predictTime: predictTime ?? null,
          resumed: run.resumed,
          ...(run.replaced.length ? { replacedPredictionIds: run.replaced } : {}),
          // On resume the inputs were sent by the earlier attempt, whose checkpoint recorded them.
          sent: run.resumed ? (request.resumeFrom?.sent ?? null) : sent,
          input: run.resumed
            ? (request.resumeFrom?.input ?? null)
            : sanitizedInput(input, profile.imageField, sent),
          outputUrl: output.url,
          price: profile.price,
        },
      };
    },
  };
}

// ─── internals ────────────────────────────────────────────────────────────────

async function _sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    throw new TransientError('DEADLINE_EXCEEDED', 'Replicate: waiting was aborted by the time budget', {
      cause: err,
    });
  }
}
