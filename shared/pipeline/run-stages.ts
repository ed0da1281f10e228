import type { EngineImage, EngineResult } from '../engines/engine.js';
import { EngineError, StoreConflictError, TransientError, ValidationError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { Location, ReuseRecord, StageRecord, VariantRecord } from '../lineage/records.js';
import { ownsJob, renewLease, SupersededError } from './claim.js';
import { nowOf } from './deps.js';
import { type JobContext, outputMetadata } from './job-context.js';
import { stageOutputName } from './layout.js';
import { type LoadedAsset, referenceKey } from './load-inputs.js';
import type { PlannedStage } from './plan.js';
import { readCachedStage, stageCacheKey } from './stage-cache.js';

/** Extension of a stage output by MIME type. */
const STAGE_EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** What a finished (or resumed) stage leaves for the next one. */
export interface StageOutcome {
  record: StageRecord;
  /** The chosen variant's image: the next stage's input. */
  image: EngineImage;
  /** Every variant's image, in order (one entry for a single-output stage). */
  variantImages: EngineImage[];
  /** true when the stage was recorded by an earlier attempt and reused. */
  resumed: boolean;
}

export { SupersededError } from './claim.js';

/** One produced output of a stage (one variant). */
interface Produced {
  image: EngineImage;
  data: Buffer;
  output: Location;
  seed: number;
  model: string;
  warnings: string[];
  result?: Pick<EngineResult, 'usage' | 'costUsd' | 'details'> | undefined;
  reusedFrom?: ReuseRecord | undefined;
}

/**
 * Runs the stages in order; each stage's output is the next one's input. A stage that an
 * earlier attempt recorded is not sent to the engine again: its stored output is read,
 * verified by hash and reused. So is an identical stage computed by any earlier job (the
 * stage cache), and an earlier result a stage pins with `from`. Each new stage is stored
 * and recorded (the resume point) before the next begins.
 */
export async function runStages(
  ctx: JobContext,
  stages: PlannedStage[],
  source: LoadedAsset,
  references: Map<string, LoadedAsset>,
  options: { cache: boolean },
): Promise<StageOutcome[]> {
  const recorded = new Map((await ctx.deps.lineage.listStages(ctx.job.id)).map((s) => [s.index, s]));
  const outcomes: StageOutcome[] = [];
  let input: { image: EngineImage; assetId: string } = { image: source.image, assetId: source.assetId };
  for (const planned of stages) {
    const previous = recorded.get(planned.index);
    const outcome = previous
      ? await reuseRecordedStage(ctx, previous)
      : await runStage(ctx, planned, input, references, options);
    outcomes.push(outcome);
    input = { image: outcome.image, assetId: outcome.record.outputAssetId };
  }
  return outcomes;
}

async function readVerified(
  ctx: JobContext,
  location: Location,
  assetId: string,
  what: string,
): Promise<Buffer> {
  const bytes = await ctx.deps.store.read(location);
  const actual = hashBytes(bytes);
  if (actual !== assetId) {
    throw new TransientError(
      'INTERNAL',
      `${what}: stored output ${location.name} has hash ${actual}, lineage says ${assetId}`,
    );
  }
  return bytes;
}

async function reuseRecordedStage(ctx: JobContext, record: StageRecord): Promise<StageOutcome> {
  const variants = record.variants ?? [
    { variant: 1, outputAssetId: record.outputAssetId, output: record.output } as Pick<
      VariantRecord,
      'variant' | 'outputAssetId' | 'output'
    >,
  ];
  const variantImages: EngineImage[] = [];
  for (const v of variants) {
    const bytes = await readVerified(ctx, v.output, v.outputAssetId, `stage ${record.index}`);
    variantImages.push(await decodeEngineImage(bytes));
  }
  ctx.log.info('stage reused from an earlier attempt', { stage: record.index, name: record.name });
  const chosen = (record.chosenVariant ?? 1) - 1;
  return { record, image: variantImages[chosen] as EngineImage, variantImages, resumed: true };
}

async function runStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  references: Map<string, LoadedAsset>,
  options: { cache: boolean },
): Promise<StageOutcome> {
  const started = nowOf(ctx.deps);
  const refs = planned.references.map((loc) => references.get(referenceKey(loc)) as LoadedAsset);
  if (planned.from) {
    const pinned = await readPinned(ctx, planned);
    return recordStage(ctx, planned, input, refs, started, [pinned], 1);
  }
  const produced: Produced[] = [];
  for (const [k, seed] of planned.seeds.entries()) {
    produced.push(
      await produceVariant(ctx, planned, input, refs, { variant: k + 1, seed, cache: options.cache }),
    );
  }
  return recordStage(ctx, planned, input, refs, started, produced, 1);
}

/** The result an earlier job's stage produced, for a stage that continues `from` it. */
async function readPinned(ctx: JobContext, planned: PlannedStage): Promise<Produced> {
  const from = planned.from as NonNullable<PlannedStage['from']>;
  const path = `${planned.path}.from`;
  const stages = await ctx.deps.lineage.listStages(from.job);
  const stage = stages.find((s) => s.index === from.stage);
  const variant =
    stage?.variants?.find((v) => v.variant === from.variant) ??
    (stage && from.variant === 1
      ? { outputAssetId: stage.outputAssetId, output: stage.output, seed: stage.seed }
      : undefined);
  if (!stage || !variant) {
    throw new ValidationError('REFERENCE_MISSING', [
      `${path}: job ${from.job} has no recorded stage ${from.stage}${from.variant > 1 ? ` variant ${from.variant}` : ''}`,
    ]);
  }
  const data = await ctx.deps.store.read(variant.output).catch((cause: unknown) => {
    throw new ValidationError(
      'REFERENCE_MISSING',
      [`${path}: the output ${variant.output.name} is no longer stored`],
      { cause },
    );
  });
  if (hashBytes(data) !== variant.outputAssetId) {
    throw new ValidationError('REFERENCE_INVALID', [
      `${path}: the stored output ${variant.output.name} was changed since it was recorded`,
    ]);
  }
  return {
    image: await decodeEngineImage(data),
    data,
    output: variant.output,
    seed: variant.seed,
    model: stage.model,
    warnings: [],
    reusedFrom: { via: 'pin', jobId: from.job, stage: from.stage, variant: from.variant },
  };
}

async function produceVariant(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  refs: LoadedAsset[],
  options: { variant: number; seed: number; cache: boolean },
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
  const cacheKey = stageCacheKey({
    engine: planned.engine.name,
    model: planned.enginePlan.model,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    prompt: planned.plan.prompt,
    params,
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
  const result = await planned.engine.edit({
    stage: { ...planned.plan, params, model: planned.enginePlan.model },
    input: input.image,
    references: refs.map((r) => r.image),
    deadline: ctx.deadline,
    signal: ctx.signal,
    resumeFrom: checkpoints[checkpointKey],
    checkpoint: async (details) => {
      checkpoints[checkpointKey] = details;
      ctx.job.checkpoints = checkpoints;
      await deps.lineage.updateJob(ctx.job.id, { checkpoints });
    },
  });
  const image = await decodeEngineImage(result.image.data).catch((cause: unknown) => {
    throw new EngineError(
      'ENGINE_BAD_OUTPUT',
      `stage ${planned.index}: ${planned.engine.name} returned bytes that are not an image`,
      {
        cause,
      },
    );
  });
  const output = { bucket: deps.results.bucket, name: `${stem}${STAGE_EXT[image.mimeType] ?? 'png'}` };
  if (ctx.signal?.aborted || !(await renewLease(deps, ctx.job.id, ctx.attempt))) {
    throw new SupersededError(ctx.job.id, ctx.attempt);
  }
  try {
    await deps.store.create(output, result.image.data, {
      contentType: image.mimeType,
      metadata: outputMetadata(ctx, {
        'darkroom-stage': String(planned.index),
        'darkroom-variant': String(variant),
      }),
      // Intermediates carry a custom time, so the results bucket's lifecycle rule can expire them.
      customTime: new Date(nowOf(deps)),
    });
  } catch (err) {
    // Another attempt stored a different output here first: it took the job over.
    if (err instanceof StoreConflictError && !(await ownsJob(deps, ctx.job.id, ctx.attempt))) {
      throw new SupersededError(ctx.job.id, ctx.attempt);
    }
    throw err;
  }
  const outputAssetId = hashBytes(result.image.data);
  if (options.cache) {
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

/** A stored output at `stem` + a stage extension. */
async function findStoredOutput(ctx: JobContext, stem: string) {
  const found = await ctx.deps.store.list(ctx.deps.results.bucket, stem);
  return found.find((o) => Object.values(STAGE_EXT).some((ext) => o.name === `${stem}${ext}`));
}

async function recordStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  refs: LoadedAsset[],
  started: number,
  produced: Produced[],
  chosenVariant: number,
): Promise<StageOutcome> {
  const { deps } = ctx;
  const variants: VariantRecord[] = produced.map((p, k) => ({
    variant: k + 1,
    seed: p.seed,
    outputAssetId: hashBytes(p.data),
    output: p.output,
    width: p.image.width,
    height: p.image.height,
    bytes: p.data.length,
    costUsd: p.result?.costUsd,
    reusedFrom: p.reusedFrom,
  }));
  for (const [k, v] of variants.entries()) {
    await deps.lineage.putAsset({
      id: v.outputAssetId,
      location: v.output,
      mimeType: (produced[k] as Produced).image.mimeType,
      width: v.width,
      height: v.height,
      bytes: v.bytes,
      derivedFrom: [input.assetId, ...refs.map((r) => r.assetId)],
      producedBy: {
        jobId: v.reusedFrom?.jobId ?? ctx.job.id,
        stage: v.reusedFrom?.stage ?? planned.index,
        role: 'stage',
      },
      createdAt: new Date(nowOf(deps)),
    });
  }
  const chosen = variants[chosenVariant - 1] as VariantRecord;
  const chosenProduced = produced[chosenVariant - 1] as Produced;
  const computed = produced.filter((p) => !p.reusedFrom);
  const sum = (values: (number | undefined)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
  const warnings = [...planned.warnings];
  for (const w of produced.flatMap((p) => p.warnings)) if (!warnings.includes(w)) warnings.push(w);
  if (planned.seedSource === 'inherited')
    warnings.push(`seed ${planned.plan.params.seed} inherited from the previous job`);
  const record: StageRecord = {
    index: planned.index,
    name: planned.stage.name,
    rawPrompt: planned.stage.prompt ?? '',
    prompt: planned.plan.prompt,
    engine: planned.from ? 'pinned' : planned.engine.name,
    model: chosenProduced.model,
    params: { ...planned.plan.params, seed: chosen.seed },
    seed: chosen.seed,
    seedSource: planned.seedSource,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    outputAssetId: chosen.outputAssetId,
    output: chosen.output,
    width: chosen.width,
    height: chosen.height,
    bytes: chosen.bytes,
    durationMs: nowOf(deps) - started,
    warnings,
    attempt: ctx.attempt,
    finishedAt: new Date(nowOf(deps)),
    usage:
      computed.length === 1 ? (computed[0]?.result?.usage as Record<string, number> | undefined) : undefined,
    costUsd: computed.length > 0 ? sum(computed.map((p) => p.result?.costUsd)) : undefined,
    details: computed.length === 1 ? computed[0]?.result?.details : undefined,
    reusedFrom: chosen.reusedFrom,
    variants: variants.length > 1 ? variants : undefined,
    chosenVariant: variants.length > 1 ? chosenVariant : undefined,
  };
  if (!(await deps.lineage.createStage(ctx.job.id, record)))
    throw new SupersededError(ctx.job.id, ctx.attempt);
  ctx.log.info('stage done', {
    stage: planned.index,
    name: planned.stage.name,
    engine: record.engine,
    model: record.model,
    seed: record.seed,
    variants: variants.length,
    reused: record.reusedFrom?.via,
    ms: record.durationMs,
  });
  return {
    record,
    image: chosenProduced.image,
    variantImages: produced.map((p) => p.image),
    resumed: false,
  };
}
