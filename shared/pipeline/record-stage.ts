import type { EngineImage } from '../engines/engine.js';
import { hashBytes } from '../imaging/index.js';
import type { StageRecord, VariantRecord } from '../lineage/records.js';
import { SupersededError } from './claim.js';
import { nowOf } from './deps.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import type { PlannedStage, Produced, StageOutcome } from './types.js';

/**
 * Records a finished stage: an asset per variant, then the stage record — create-only,
 * so a superseded attempt cannot overwrite the resume point of the attempt that took over.
 */
export async function recordStage(
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
  // A pinned stage's seed is the pinned result's; the planned (inherited or drawn) one never ran.
  if (planned.seedSource === 'inherited' && !planned.from)
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
    seedSource: planned.from ? undefined : planned.seedSource,
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
