import type { EngineImage } from '../engines/engine.js';
import { hashBytes } from '../imaging/index.js';
import type { StageRecord, VariantRecord } from '../lineage/records.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import type { PlannedStage, Produced, StageOutcome } from './types.js';

/** What {@link recordStage} records. */
export interface RecordStageOptions {
  planned: PlannedStage;
  /** The stage input and its asset id. */
  input: { image: EngineImage; assetId: string };
  /** The stage's reference images, in order. */
  refs: LoadedAsset[];
  /** Epoch ms when the stage began (for `durationMs`). */
  started: number;
  /** Every variant's output, in order. */
  produced: Produced[];
  /** The variant that feeds the next stage (1-based; default 1). */
  chosenVariant?: number | undefined;
}

/**
 * Records a finished stage: an asset per variant, then the stage record — create-only,
 * so a superseded attempt cannot overwrite the resume point of the attempt that took over.
 * @throws SupersededError when a later attempt recorded the stage first
 */
export async function recordStage(ctx: JobContext, options: RecordStageOptions): Promise<StageOutcome> {
  const { planned, produced } = options;
  const chosenVariant = options.chosenVariant ?? 1;
  const variants = produced.map(variantRecordOf);
  await putVariantAssets(ctx, options, variants);
  const record = stageRecordOf(ctx, { ...options, chosenVariant }, variants);
  await ctx.assertOwner(ctx.deps.lineage.createStage(ctx.job.id, record));
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
    image: (produced[chosenVariant - 1] as Produced).image,
    variantImages: produced.map((p) => p.image),
    resumed: false,
    generative: isGenerative(planned),
  };
}

/**
 * Whether a stage's output may come from a generative model (for the IPTC digital source type).
 * A pinned stage's result is an earlier job's, which may have been generated: it counts as one.
 */
export function isGenerative(planned: PlannedStage): boolean {
  return planned.from ? true : planned.engine.generative;
}

// ─── internals ────────────────────────────────────────────────────────────────

function variantRecordOf(p: Produced, k: number): VariantRecord {
  return {
    variant: k + 1,
    seed: p.seed,
    outputAssetId: hashBytes(p.data),
    output: p.output,
    width: p.image.width,
    height: p.image.height,
    bytes: p.data.length,
    costUsd: p.result?.costUsd,
    reusedFrom: p.reusedFrom,
  };
}

async function putVariantAssets(
  ctx: JobContext,
  options: RecordStageOptions,
  variants: VariantRecord[],
): Promise<void> {
  const { planned, input, refs, produced } = options;
  // Independent, idempotent writes (one document per asset id); all land before the stage record.
  const puts = variants.map((v, k) =>
    ctx.deps.lineage.putAsset({
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
      createdAt: new Date(ctx.now()),
    }),
  );
  await Promise.all(puts);
}

function stageRecordOf(
  ctx: JobContext,
  options: RecordStageOptions & { chosenVariant: number },
  variants: VariantRecord[],
): StageRecord {
  const { planned, input, refs, produced, chosenVariant } = options;
  const chosen = variants[chosenVariant - 1] as VariantRecord;
  const computed = produced.filter((p) => !p.reusedFrom);
  const sum = (values: (number | undefined)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
  return {
    index: planned.index,
    name: planned.stage.name,
    rawPrompt: planned.stage.prompt ?? '',
    prompt: planned.plan.prompt,
    engine: planned.from ? 'pinned' : planned.engine.name,
    model: (produced[chosenVariant - 1] as Produced).model,
    params: { ...planned.plan.params, seed: chosen.seed },
    seed: chosen.seed,
    seedSource: planned.from ? undefined : planned.seedSource,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    outputAssetId: chosen.outputAssetId,
    output: chosen.output,
    width: chosen.width,
    height: chosen.height,
    bytes: chosen.bytes,
    durationMs: ctx.now() - options.started,
    warnings: stageWarnings(planned, produced),
    attempt: ctx.attempt,
    finishedAt: new Date(ctx.now()),
    usage:
      computed.length === 1 ? (computed[0]?.result?.usage as Record<string, number> | undefined) : undefined,
    costUsd: computed.length > 0 ? sum(computed.map((p) => p.result?.costUsd)) : undefined,
    details: computed.length === 1 ? computed[0]?.result?.details : undefined,
    reusedFrom: chosen.reusedFrom,
    variants: variants.length > 1 ? variants : undefined,
    chosenVariant: variants.length > 1 ? chosenVariant : undefined,
  };
}

/** The plan's warnings, then each variant's new ones, then an inherited seed's note. */
function stageWarnings(planned: PlannedStage, produced: Produced[]): string[] {
  const warnings = [...planned.warnings];
  for (const w of produced.flatMap((p) => p.warnings)) if (!warnings.includes(w)) warnings.push(w);
  // A pinned stage's seed is the pinned result's; the planned (inherited or drawn) one never ran.
  if (planned.seedSource === 'inherited' && !planned.from)
    warnings.push(`seed ${planned.plan.params.seed} inherited from the previous job`);
  return warnings;
}
