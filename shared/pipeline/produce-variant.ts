import { batchLaneEngine } from '../batch/lane.js';
import type { EngineImage, EngineRequest, EngineResult, OutputCheck } from '../engines/engine.js';
import { StoreConflictError, TransientError } from '../errors.js';
import { createOutputCheck, decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { Location } from '../lineage/records.js';
import { DEFAULT_DRIFT, editProtected } from '../protect/index.js';
import { renewLease, SupersededError } from './claim.js';
import { type JobContext, outputMetadata } from './job-context.js';
import { stageOutputName } from './layout.js';
import type { LoadedAsset } from './load-inputs.js';
import { retryTransientWrite } from './retry-write.js';
import { readCachedStage, stageCacheKey } from './stage-cache.js';
import { findStoredOutput, STAGE_EXT } from './stage-output.js';
import type { PlannedStage, Produced } from './types.js';

/** The stage input of one variant: its image and asset id. */
type VariantInput = { image: EngineImage; assetId: string };
/** A variant's parameters (the stage's, with the variant's seed), as a plain record for the cache key. */
type VariantParams = { [K in keyof PlannedStage['plan']['params']]: PlannedStage['plan']['params'][K] };
/**
 * Which variant, with which seed, whether the stage cache may answer it, whether intermediates are
 * kept, and whether no image of the job goes to a generative engine (`StageRunOptions.localOnly`).
 */
type VariantOptions = {
  variant: number;
  seed: number;
  cache: boolean;
  keepIntermediates: boolean;
  localOnly: boolean;
};

/**
 * Produces one output (variant) of a stage, paying for an engine call only when nothing
 * else can supply it: an output an interrupted attempt stored, then the stage cache, then
 * the engine. A computed output is checked once (type, pixel cap, decode), stored
 * (create-only) and entered in the cache.
 * @throws EngineError `ENGINE_BAD_OUTPUT` for an engine output that is not an image it may use;
 *   TransientError `DEADLINE_EXCEEDED` with no time left to call the engine; SupersededError
 *   when another attempt took the job over
 */
export async function produceVariant(
  ctx: JobContext,
  planned: PlannedStage,
  input: VariantInput,
  refs: LoadedAsset[],
  options: VariantOptions,
): Promise<Produced> {
  const suffix = planned.seeds.length > 1 ? `-v${options.variant}` : '';
  const stem = stageOutputName(ctx.prefix, planned.index, `${planned.stage.name}${suffix}`, '');
  // A free, deterministic stage is its own resume point: recomputing it on a resume costs less than
  // storing it on every run. It is stored (and cached) only when the request keeps intermediates;
  // unstored, no earlier attempt and no cache entry of this request can hold it, so none is looked up.
  const kept = options.keepIntermediates || !planned.enginePlan.recomputable;
  const recovered = kept ? await _recoverStoredOutput(ctx, planned, stem, options) : undefined;
  if (recovered) return recovered;
  const params: VariantParams = { ...planned.plan.params, seed: options.seed };
  const cacheKey = _cacheKey(planned, input, refs, params);
  const cached = options.cache && kept ? await _fromStageCache(ctx, planned, cacheKey, options) : undefined;
  if (cached) return cached;
  if (ctx.now() >= ctx.deadline) {
    throw new TransientError(
      'DEADLINE_EXCEEDED',
      `stage ${planned.index}: no time left in this invocation; the job resumes at this stage on redelivery`,
    );
  }
  const check = createOutputCheck({ maxPixels: ctx.deps.config.limits.maxInputPixels });
  const result = await _callEngine(ctx, planned, { ...options, params, input, refs, check, kept });
  // The one check of the output; free when the engine already ran it inside its retry loop.
  // An engine that drew the pixels (the local engine) hands them over, checked against the header.
  const image = await check(result.image, { source: `stage ${planned.index}: ${planned.engine.name}` });
  const output = await _storeOutput(ctx, planned, { stem, image, variant: options.variant, store: kept });
  if (options.cache && kept) await _enterInCache(ctx, planned, { cacheKey, result, image, output, options });
  return {
    image,
    data: image.data,
    output,
    seed: options.seed,
    model: result.model,
    warnings: result.warnings,
    result,
  };
}

// ── internal ──────────────────────────────────────────────────────────────

/** An output an earlier attempt stored but stopped before recording the stage. */
async function _recoverStoredOutput(
  ctx: JobContext,
  planned: PlannedStage,
  stem: string,
  options: VariantOptions,
): Promise<Produced | undefined> {
  const stored = await findStoredOutput(ctx, stem);
  if (!stored) return undefined;
  // The output is valid, and calling the engine again would pay twice.
  ctx.log.warn('stage output found without its record; reusing it', {
    stage: planned.index,
    name: stored.name,
  });
  const data = await ctx.deps.store.read(stored);
  return {
    image: await decodeEngineImage(data),
    data,
    output: { bucket: stored.bucket, name: stored.name },
    seed: options.seed,
    model: planned.enginePlan.model,
    warnings: ['output recovered from storage after an interrupted attempt; engine usage not known'],
    reusedFrom: { via: 'storage', jobId: ctx.job.id, stage: planned.index, variant: options.variant },
  };
}

function _cacheKey(
  planned: PlannedStage,
  input: VariantInput,
  refs: LoadedAsset[],
  params: VariantParams,
): string {
  const { protect, drift } = planned.stage;
  return stageCacheKey({
    engine: planned.engine.name,
    model: planned.enginePlan.model,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    prompt: planned.plan.prompt,
    // A protected stage's output is not the unprotected one's: both settings are part of the key.
    params: protect ? { ...params, protect, drift: drift ?? DEFAULT_DRIFT } : params,
  });
}

async function _fromStageCache(
  ctx: JobContext,
  planned: PlannedStage,
  cacheKey: string,
  options: VariantOptions,
): Promise<Produced | undefined> {
  const hit = await readCachedStage(ctx, cacheKey);
  if (!hit) return undefined;
  ctx.log.info('stage reused from the stage cache', {
    stage: planned.index,
    variant: options.variant,
    from: hit.entry.jobId,
  });
  return {
    image: hit.image,
    data: hit.data,
    output: hit.entry.output,
    seed: options.seed,
    model: hit.entry.model,
    warnings: [],
    reusedFrom: {
      via: 'cache',
      jobId: hit.entry.jobId,
      stage: hit.entry.stage,
      variant: hit.entry.variant,
      savedUsd: hit.entry.costUsd,
    },
  };
}

/** The batch lane's answer, or an edit call (protected when the stage asks), checkpointed and fenced. */
async function _callEngine(
  ctx: JobContext,
  planned: PlannedStage,
  call: VariantOptions & {
    params: PlannedStage['plan']['params'];
    input: VariantInput;
    refs: LoadedAsset[];
    check: OutputCheck;
    /** Whether the output will be stored. */
    kept: boolean;
  },
): Promise<EngineResult> {
  const { protect, drift } = planned.stage;
  // The batch lane answers from a batch job's result, or records the request and parks the job;
  // a protected stage wraps it like the interactive engine.
  const engine = batchLaneEngine(ctx, planned, { variant: call.variant, refs: call.refs });
  const checkpoints = ctx.job.checkpoints ?? {};
  const checkpointKey = planned.seeds.length > 1 ? `${planned.index}.${call.variant}` : String(planned.index);
  const request: EngineRequest = {
    stage: { ...planned.plan, params: call.params, model: planned.enginePlan.model },
    input: call.input.image,
    references: call.refs.map((r) => r.image),
    deadline: ctx.deadline,
    signal: ctx.signal,
    checkOutput: call.check,
    // Neither stored nor sent to a model: only hashed and handed on in memory.
    fastEncoding: !call.kept && call.localOnly,
    resumeFrom: checkpoints[checkpointKey],
    checkpoint: async (details) => {
      checkpoints[checkpointKey] = details;
      ctx.job.checkpoints = checkpoints;
      // Fenced: a superseded attempt must not replace the checkpoints of the attempt in charge.
      const owned = await ctx.deps.lineage.updateJobIfCurrent(ctx.job.id, {
        fence: { attempt: ctx.attempt },
        patch: { checkpoints },
      });
      if (!owned) throw new SupersededError(ctx.job.id, ctx.attempt);
    },
  };
  return protect ? editProtected({ engine, request, drift: drift ?? DEFAULT_DRIFT }) : engine.edit(request);
}

/** Stores a checked output create-only, after renewing the lease; a conflict means a takeover. */
async function _storeOutput(
  ctx: JobContext,
  planned: PlannedStage,
  what: { stem: string; image: EngineImage; variant: number; store: boolean },
): Promise<Location> {
  const { deps } = ctx;
  const { image } = what;
  const output = { bucket: deps.results.bucket, name: `${what.stem}${STAGE_EXT[image.mimeType] ?? 'png'}` };
  if (ctx.signal?.aborted) throw new SupersededError(ctx.job.id, ctx.attempt);
  // Nothing written, nothing to fence: the lease heartbeat keeps the claim, and the stage record
  // that follows is create-only and fenced.
  if (!what.store) return output;
  // The renewal fences the write: a superseded attempt must not store over its successor.
  if (!(await renewLease(deps, ctx.job.id, ctx.attempt))) throw new SupersededError(ctx.job.id, ctx.attempt);
  try {
    // The engine was paid for this result: a transient failure retries the write, not the call.
    await retryTransientWrite(ctx, output.name, () =>
      deps.store.create(output, image.data, {
        contentType: image.mimeType,
        metadata: outputMetadata(ctx, {
          'darkroom-stage': String(planned.index),
          'darkroom-variant': String(what.variant),
        }),
        // Intermediates carry a custom time, so the results bucket's lifecycle rule can expire them.
        customTime: new Date(ctx.now()),
      }),
    );
  } catch (err) {
    // Another attempt stored a different output here first: it took the job over.
    if (err instanceof StoreConflictError) await ctx.assertOwner();
    throw err;
  }
  return output;
}

async function _enterInCache(
  ctx: JobContext,
  planned: PlannedStage,
  entry: {
    cacheKey: string;
    result: EngineResult;
    image: EngineImage;
    output: Location;
    options: VariantOptions;
  },
): Promise<void> {
  const { result, image, options } = entry;
  await ctx.deps.lineage.putCachedStage({
    key: entry.cacheKey,
    engine: planned.engine.name,
    model: result.model,
    outputAssetId: hashBytes(image.data),
    output: entry.output,
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    bytes: image.data.length,
    jobId: ctx.job.id,
    stage: planned.index,
    variant: options.variant,
    costUsd: result.costUsd,
    createdAt: new Date(ctx.now()),
  });
}
