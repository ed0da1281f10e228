import { BatchWaiting, isBatchWaiting } from '../batch/lane.js';
import type { EngineImage } from '../engines/engine.js';
import { TransientError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { Location, StageRecord, VariantRecord } from '../lineage/records.js';
import { ObjectNotFoundError } from '../storage/object-store.js';
import type { JobContext } from './job-context.js';
import { type LoadedAsset, referenceKey } from './load-inputs.js';
import { produceVariant } from './produce-variant.js';
import { isGenerative, recordStage } from './record-stage.js';
import { readPinned } from './stage-output.js';
import type { PlannedStage, Produced, StageOutcome } from './types.js';

/** How stages run: with the stage cache, and whether recomputable outputs are stored too. */
export interface StageRunOptions {
  cache: boolean;
  keepIntermediates: boolean;
  /**
   * No image of the job is sent to a generative engine (local stages only, no upscale): an output
   * that is not stored either is then encoded for speed (see `EngineRequest.fastEncoding`).
   */
  localOnly: boolean;
}

/**
 * Runs the stages in order; each stage's output is the next one's input. A stage that an
 * earlier attempt recorded is not sent to the engine again: its stored output is read,
 * verified by hash and reused. So is an identical stage computed by any earlier job (the
 * stage cache), and an earlier result a stage pins with `from`. Each new stage is stored
 * and recorded (the resume point) before the next begins; a free, deterministic stage
 * (`recomputable`) is only recorded unless intermediates are kept, and a resume recomputes it
 * and checks the result against the recorded hash.
 */
export async function runStages(
  ctx: JobContext,
  stages: PlannedStage[],
  source: LoadedAsset,
  references: Map<string, LoadedAsset>,
  options: StageRunOptions,
): Promise<StageOutcome[]> {
  // A job this attempt created has no recorded stage yet: nothing to look up.
  const records = ctx.created ? [] : await ctx.deps.lineage.listStages(ctx.job.id);
  const recorded = new Map(records.map((s) => [s.index, s]));
  const outcomes: StageOutcome[] = [];
  let input: { image: EngineImage; assetId: string } = { image: source.image, assetId: source.assetId };
  for (const planned of stages) {
    const previous = recorded.get(planned.index);
    const outcome = previous
      ? await reuseRecordedStage(ctx, previous, {
          planned,
          input,
          references,
          keepIntermediates: options.keepIntermediates,
          localOnly: options.localOnly,
        })
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
  rerun: RerunInputs,
): Promise<StageOutcome> {
  const variants = record.variants ?? [
    { variant: 1, outputAssetId: record.outputAssetId, output: record.output, seed: record.seed } as Pick<
      VariantRecord,
      'variant' | 'outputAssetId' | 'output' | 'seed'
    >,
  ];
  const variantImages: EngineImage[] = [];
  for (const v of variants) {
    variantImages.push(await recordedImage(ctx, record, v, rerun));
  }
  ctx.log.info('stage reused from an earlier attempt', { stage: record.index, name: record.name });
  const chosen = (record.chosenVariant ?? 1) - 1;
  return {
    record,
    image: variantImages[chosen] as EngineImage,
    variantImages,
    resumed: true,
    generative: isGenerative(rerun.planned),
  };
}

/** What recomputing a recorded stage needs. */
interface RerunInputs {
  planned: PlannedStage;
  input: { image: EngineImage; assetId: string };
  references: Map<string, LoadedAsset>;
  /** The first run's settings: a recomputed output is encoded (and stored) as it was then. */
  keepIntermediates: boolean;
  localOnly: boolean;
}

/**
 * A recorded variant's image: read back and verified, or, for a recomputable stage whose output
 * was not stored, computed again and checked against the recorded hash.
 */
async function recordedImage(
  ctx: JobContext,
  record: StageRecord,
  v: Pick<VariantRecord, 'variant' | 'outputAssetId' | 'output' | 'seed'>,
  rerun: RerunInputs,
): Promise<EngineImage> {
  const { planned } = rerun;
  const recompute =
    planned.enginePlan.recomputable && !record.reusedFrom && record.engine === planned.engine.name;
  const bytes = await readVerified(ctx, v.output, v.outputAssetId, `stage ${record.index}`).catch(
    (err: unknown) => {
      if (recompute && err instanceof ObjectNotFoundError) return undefined;
      throw err;
    },
  );
  if (bytes) return decodeEngineImage(bytes);
  const refs = planned.references.map((loc) => rerun.references.get(referenceKey(loc)) as LoadedAsset);
  const produce = (localOnly: boolean) =>
    produceVariant(ctx, planned, rerun.input, refs, {
      variant: v.variant,
      seed: v.seed,
      cache: false,
      keepIntermediates: rerun.keepIntermediates,
      localOnly,
    });
  let again = await produce(rerun.localOnly);
  let actual = hashBytes(again.data);
  // An unstored output recorded with the other encoding (fast or not: a version that chose
  // differently recorded it) is the same pixels; encoded that way, it matches its record.
  if (actual !== v.outputAssetId && !rerun.keepIntermediates) {
    const other = await produce(!rerun.localOnly);
    if (hashBytes(other.data) === v.outputAssetId) {
      again = other;
      actual = v.outputAssetId;
    }
  }
  if (actual !== v.outputAssetId) {
    throw new TransientError(
      'INTERNAL',
      `stage ${record.index}: recomputed output has hash ${actual}, lineage says ${v.outputAssetId}`,
    );
  }
  ctx.log.info('stage recomputed for a resume', { stage: record.index, variant: v.variant });
  return again.image;
}

async function runStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  references: Map<string, LoadedAsset>,
  options: StageRunOptions,
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
      produced.push(await produceVariant(ctx, planned, input, refs, { variant: k + 1, seed, ...options }));
    } catch (err) {
      // Batch lane: every variant joins the same collection round, not one per resume.
      if (!isBatchWaiting(err)) throw err;
      waiting.push(...err.keys);
    }
  }
  if (waiting.length > 0) throw new BatchWaiting(waiting);
  return recordStage(ctx, { planned, input, refs, started, produced });
}
