import { batchLaneResult } from '../batch/lane.js';
import type { EngineImage, EngineRequest } from '../engines/engine.js';
import { EngineError, StoreConflictError, TransientError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { Location } from '../lineage/records.js';
import { DEFAULT_DRIFT, editProtected } from '../protect/index.js';
import { ownsJob, renewLease, SupersededError } from './claim.js';
import { nowOf } from './deps.js';
import { type JobContext, outputMetadata } from './job-context.js';
import { stageOutputName } from './layout.js';
import type { LoadedAsset } from './load-inputs.js';
import type { PlannedStage } from './plan.js';
import { retryTransientWrite } from './retry-write.js';
import { readCachedStage, stageCacheKey } from './stage-cache.js';
import { findStoredOutput, type Produced, STAGE_EXT } from './stage-output.js';

/**
 * The checked image, with the pixels the engine decoded for it when it kept the bytes as they were
 * (the local engine hands them over, so the next stage and the outputs need not decode again).
 */
async function withEnginePixels(checked: Promise<EngineImage>, returned: EngineImage): Promise<EngineImage> {
  const image = await checked;
  const { pixels } = returned;
  const same =
    image.data === returned.data && pixels?.width === image.width && pixels.height === image.height;
  return same ? { ...image, pixels } : image;
}

/**
 * Produces one output (variant) of a stage, paying for an engine call only when nothing
 * else can supply it: an output an interrupted attempt stored, then the stage cache, then
 * the engine. A computed output is stored (create-only) and entered in the cache.
 */
export async function produceVariant(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  refs: LoadedAsset[],
  options: { variant: number; seed: number; cache: boolean; keepIntermediates: boolean },
): Promise<Produced> {
  const { deps } = ctx;
  const { variant, seed } = options;
  const suffix = planned.seeds.length > 1 ? `-v${variant}` : '';
  const stem = stageOutputName(ctx.prefix, planned.index, `${planned.stage.name}${suffix}`, '');
  const stored = await findStoredOutput(ctx, stem);
  if (stored) {
    // An earlier attempt stored this output but stopped before recording the stage:
    // the output is valid, and calling the engine again would pay twice.
    ctx.log.warn('stage output found without its record; reusing it', {
      stage: planned.index,
      name: stored.name,
    });
    const data = await deps.store.read(stored);
    return {
      image: await decodeEngineImage(data),
      data,
      output: { bucket: stored.bucket, name: stored.name },
      seed,
      model: planned.enginePlan.model,
      warnings: ['output recovered from storage after an interrupted attempt; engine usage not known'],
      reusedFrom: { via: 'storage', jobId: ctx.job.id, stage: planned.index, variant },
    };
  }
  const params = { ...planned.plan.params, seed };
  const { protect, drift } = planned.stage;
  const cacheKey = stageCacheKey({
    engine: planned.engine.name,
    model: planned.enginePlan.model,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    prompt: planned.plan.prompt,
    // A protected stage's output is not the unprotected one's: both settings are part of the key.
    params: protect ? { ...params, protect, drift: drift ?? DEFAULT_DRIFT } : params,
  });
  if (options.cache) {
    const hit = await readCachedStage(ctx, cacheKey);
    if (hit) {
      ctx.log.info('stage reused from the stage cache', {
        stage: planned.index,
        variant,
        from: hit.entry.jobId,
      });
      return {
        image: hit.image,
        data: hit.data,
        output: hit.entry.output,
        seed,
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
  }
  if (nowOf(deps) >= ctx.deadline) {
    throw new TransientError(
      'DEADLINE_EXCEEDED',
      `stage ${planned.index}: no time left in this invocation; the job resumes at this stage on redelivery`,
    );
  }
  const checkpoints = ctx.job.checkpoints ?? {};
  const checkpointKey = planned.seeds.length > 1 ? `${planned.index}.${variant}` : String(planned.index);
  const edit = (request: EngineRequest) =>
    protect
      ? editProtected({ engine: planned.engine, request, drift: drift ?? DEFAULT_DRIFT })
      : planned.engine.edit(request);
  // The batch lane answers from a batch job's result, or records the request and parks the job.
  const batched = await batchLaneResult(ctx, planned, { variant, params, input, refs });
  const result =
    batched ??
    (await edit({
      stage: { ...planned.plan, params, model: planned.enginePlan.model },
      input: input.image,
      references: refs.map((r) => r.image),
      deadline: ctx.deadline,
      signal: ctx.signal,
      resumeFrom: checkpoints[checkpointKey],
      checkpoint: async (details) => {
        checkpoints[checkpointKey] = details;
        ctx.job.checkpoints = checkpoints;
        // Fenced: a superseded attempt must not replace the checkpoints of the attempt in charge.
        const owned = await deps.lineage.updateJobIfCurrent(ctx.job.id, {
          fence: { attempt: ctx.attempt },
          patch: { checkpoints },
        });
        if (!owned) throw new SupersededError(ctx.job.id, ctx.attempt);
      },
    }));
  const image = await withEnginePixels(
    decodeEngineImage(result.image.data, { maxPixels: deps.config.limits.maxInputPixels }),
    result.image,
  ).catch((cause: unknown) => {
    const why = cause instanceof Error ? ` (${cause.message})` : '';
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `stage ${planned.index}: ${planned.engine.name} returned bytes that are not an image it may use${why}`,
      { cause, details: (cause as EngineError).details },
    );
  });
  const output = { bucket: deps.results.bucket, name: `${stem}${STAGE_EXT[image.mimeType] ?? 'png'}` };
  if (ctx.signal?.aborted || !(await renewLease(deps, ctx.job.id, ctx.attempt))) {
    throw new SupersededError(ctx.job.id, ctx.attempt);
  }
  // A free, deterministic stage is its own resume point: recomputing it on a resume costs less than
  // storing it on every run. It is stored only when the request keeps intermediates.
  const kept = options.keepIntermediates || !planned.enginePlan.recomputable;
  if (kept)
    await storeOutput(ctx, { planned, variant, output, data: result.image.data, mimeType: image.mimeType });
  const outputAssetId = hashBytes(result.image.data);
  if (options.cache && kept) {
    await deps.lineage.putCachedStage({
      key: cacheKey,
      engine: planned.engine.name,
      model: result.model,
      outputAssetId,
      output,
      mimeType: image.mimeType,
      width: image.width,
      height: image.height,
      bytes: result.image.data.length,
      jobId: ctx.job.id,
      stage: planned.index,
      variant,
      costUsd: result.costUsd,
      createdAt: new Date(nowOf(deps)),
    });
  }
  return {
    image,
    data: result.image.data,
    output,
    seed,
    model: result.model,
    warnings: result.warnings,
    result,
  };
}

/**
 * Stores a stage output create-only. Another attempt's different output at the same name means
 * that attempt took the job over.
 */
async function storeOutput(
  ctx: JobContext,
  what: { planned: PlannedStage; variant: number; output: Location; data: Buffer; mimeType: string },
): Promise<void> {
  const { deps } = ctx;
  try {
    // The engine was paid for this result: a transient failure retries the write, not the call.
    await retryTransientWrite(ctx, what.output.name, () =>
      deps.store.create(what.output, what.data, {
        contentType: what.mimeType,
        metadata: outputMetadata(ctx, {
          'darkroom-stage': String(what.planned.index),
          'darkroom-variant': String(what.variant),
        }),
        // Intermediates carry a custom time, so the results bucket's lifecycle rule can expire them.
        customTime: new Date(nowOf(deps)),
      }),
    );
  } catch (err) {
    if (err instanceof StoreConflictError && !(await ownsJob(deps, ctx.job.id, ctx.attempt))) {
      throw new SupersededError(ctx.job.id, ctx.attempt);
    }
    throw err;
  }
}
