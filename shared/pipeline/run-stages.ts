import { BatchWaiting, isBatchWaiting } from '../batch/lane.js';
import type { EngineImage } from '../engines/engine.js';
import { TransientError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { Location, StageRecord, VariantRecord } from '../lineage/records.js';
import type { JobContext } from './job-context.js';
import { type LoadedAsset, referenceKey } from './load-inputs.js';
import { produceVariant } from './produce-variant.js';
import { isGenerative, recordStage } from './record-stage.js';
import { readPinned } from './stage-output.js';
import type { PlannedStage, Produced, StageOutcome } from './types.js';

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
      ? await reuseRecordedStage(ctx, previous, planned)
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

async function reuseRecordedStage(
  ctx: JobContext,
  record: StageRecord,
  planned: PlannedStage,
): Promise<StageOutcome> {
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
  return {
    record,
    image: variantImages[chosen] as EngineImage,
    variantImages,
    resumed: true,
    generative: isGenerative(planned),
  };
}

async function runStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  references: Map<string, LoadedAsset>,
  options: { cache: boolean },
): Promise<StageOutcome> {
  const started = ctx.now();
  const refs = planned.references.map((loc) => references.get(referenceKey(loc)) as LoadedAsset);
  if (planned.from) {
    const pinned = await readPinned(ctx, planned);
    return recordStage(ctx, { planned, input, refs, started, produced: [pinned] });
  }
  const produced: Produced[] = [];
  const waiting: string[] = [];
  for (const [k, seed] of planned.seeds.entries()) {
    try {
      produced.push(
        await produceVariant(ctx, planned, input, refs, { variant: k + 1, seed, cache: options.cache }),
      );
    } catch (err) {
      // Batch lane: every variant joins the same collection round, not one per resume.
      if (!isBatchWaiting(err)) throw err;
      waiting.push(...err.keys);
    }
  }
  if (waiting.length > 0) throw new BatchWaiting(waiting);
  return recordStage(ctx, { planned, input, refs, started, produced });
}
