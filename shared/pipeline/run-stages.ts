import type { EngineImage, EngineResult } from '../engines/engine.js';
import { EngineError, TransientError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { StageRecord } from '../lineage/records.js';
import { renewLease } from './claim.js';
import { nowOf } from './deps.js';
import { type JobContext, outputMetadata } from './job-context.js';
import { stageOutputName } from './layout.js';
import { type LoadedAsset, referenceKey } from './load-inputs.js';
import type { PlannedStage } from './plan.js';

/** Extension of a stage output by MIME type. */
const STAGE_EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** What a finished (or resumed) stage leaves for the next one. */
export interface StageOutcome {
  record: StageRecord;
  image: EngineImage;
  /** true when the stage was recorded by an earlier attempt and reused. */
  resumed: boolean;
}

/** Thrown when a later attempt has taken the job over: this attempt must stop writing. */
export class SupersededError extends Error {
  constructor(jobId: string, attempt: number) {
    super(`job ${jobId}: attempt ${attempt} was superseded by a later attempt`);
    this.name = 'SupersededError';
  }
}

/**
 * Runs the stages in order; each stage's output is the next one's input. A stage that an
 * earlier attempt recorded is not sent to the engine again: its stored output is read,
 * verified by hash and reused. Each new stage is stored and recorded (the resume point)
 * before the next begins.
 */
export async function runStages(
  ctx: JobContext,
  stages: PlannedStage[],
  source: LoadedAsset,
  references: Map<string, LoadedAsset>,
): Promise<StageOutcome[]> {
  const recorded = new Map((await ctx.deps.lineage.listStages(ctx.job.id)).map((s) => [s.index, s]));
  const outcomes: StageOutcome[] = [];
  let input: { image: EngineImage; assetId: string } = { image: source.image, assetId: source.assetId };
  for (const planned of stages) {
    const previous = recorded.get(planned.index);
    const outcome = previous
      ? await reuseStage(ctx, previous)
      : await runStage(ctx, planned, input, references);
    outcomes.push(outcome);
    input = { image: outcome.image, assetId: outcome.record.outputAssetId };
  }
  return outcomes;
}

async function reuseStage(ctx: JobContext, record: StageRecord): Promise<StageOutcome> {
  const bytes = await ctx.deps.store.read({ bucket: record.output.bucket, name: record.output.name });
  const actual = hashBytes(bytes);
  if (actual !== record.outputAssetId) {
    throw new TransientError(
      'INTERNAL',
      `stage ${record.index}: stored output ${record.output.name} has hash ${actual}, lineage says ${record.outputAssetId}`,
    );
  }
  ctx.log.info('stage reused from an earlier attempt', { stage: record.index, name: record.name });
  return { record, image: await decodeEngineImage(bytes), resumed: true };
}

async function runStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  references: Map<string, LoadedAsset>,
): Promise<StageOutcome> {
  const { deps } = ctx;
  const started = nowOf(deps);
  if (started >= ctx.deadline) {
    throw new TransientError(
      'DEADLINE_EXCEEDED',
      `stage ${planned.index}: no time left in this invocation; the job resumes at this stage on redelivery`,
    );
  }
  const refs = planned.references.map((loc) => references.get(referenceKey(loc)) as LoadedAsset);
  const stored = await findStoredOutput(ctx, planned);
  if (stored) {
    // An earlier attempt stored this stage's output but stopped before recording it:
    // the output is valid, and calling the engine again would pay twice.
    ctx.log.warn('stage output found without its record; reusing it', {
      stage: planned.index,
      name: stored.name,
    });
    const bytes = await deps.store.read(stored);
    return recordStage(ctx, planned, input, refs, started, {
      image: await decodeEngineImage(bytes),
      data: bytes,
      output: { bucket: stored.bucket, name: stored.name },
      result: {
        model: planned.enginePlan.model,
        warnings: ['output recovered from storage after an interrupted attempt; engine usage not known'],
      },
    });
  }
  const checkpoints = ctx.job.checkpoints ?? {};
  const checkpointKey = String(planned.index);
  const result: EngineResult = await planned.engine.edit({
    stage: { ...planned.plan, model: planned.enginePlan.model },
    input: input.image,
    references: refs.map((r) => r.image),
    deadline: ctx.deadline,
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
  const ext = STAGE_EXT[image.mimeType] ?? 'png';
  const output = {
    bucket: deps.results.bucket,
    name: stageOutputName(ctx.prefix, planned.index, planned.stage.name, ext),
  };
  if (!(await renewLease(deps, ctx.job.id, ctx.attempt))) throw new SupersededError(ctx.job.id, ctx.attempt);
  await deps.store.create(output, result.image.data, {
    contentType: image.mimeType,
    metadata: outputMetadata(ctx, { 'darkroom-stage': String(planned.index) }),
  });
  return recordStage(ctx, planned, input, refs, started, { image, data: result.image.data, output, result });
}

/** A stored output of this stage, in any of the formats a stage may produce. */
async function findStoredOutput(ctx: JobContext, planned: PlannedStage) {
  const stem = stageOutputName(ctx.prefix, planned.index, planned.stage.name, '');
  const found = await ctx.deps.store.list(ctx.deps.results.bucket, stem);
  return found.find((o) => Object.values(STAGE_EXT).some((ext) => o.name === `${stem}${ext}`));
}

async function recordStage(
  ctx: JobContext,
  planned: PlannedStage,
  input: { image: EngineImage; assetId: string },
  refs: LoadedAsset[],
  started: number,
  produced: {
    image: EngineImage;
    data: Buffer;
    output: { bucket: string; name: string };
    result: Pick<EngineResult, 'model' | 'warnings' | 'usage' | 'costUsd' | 'details'>;
  },
): Promise<StageOutcome> {
  const { deps } = ctx;
  const { image, output, result } = produced;
  const outputAssetId = hashBytes(produced.data);
  const record: StageRecord = {
    index: planned.index,
    name: planned.stage.name,
    rawPrompt: planned.stage.prompt,
    prompt: planned.plan.prompt,
    engine: planned.engine.name,
    model: result.model,
    params: { ...planned.plan.params },
    seed: planned.plan.params.seed,
    inputAssetId: input.assetId,
    referenceAssetIds: refs.map((r) => r.assetId),
    outputAssetId,
    output,
    width: image.width,
    height: image.height,
    bytes: produced.data.length,
    durationMs: nowOf(deps) - started,
    warnings: [...planned.warnings, ...result.warnings.filter((w) => !planned.warnings.includes(w))],
    attempt: ctx.attempt,
    finishedAt: new Date(nowOf(deps)),
    usage: result.usage as Record<string, number> | undefined,
    costUsd: result.costUsd,
    details: result.details,
  };
  await deps.lineage.putAsset({
    id: outputAssetId,
    location: output,
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    bytes: produced.data.length,
    derivedFrom: [input.assetId, ...record.referenceAssetIds],
    producedBy: { jobId: ctx.job.id, stage: planned.index, role: 'stage' },
    createdAt: new Date(nowOf(deps)),
  });
  if (!(await deps.lineage.createStage(ctx.job.id, record)))
    throw new SupersededError(ctx.job.id, ctx.attempt);
  ctx.log.info('stage done', {
    stage: planned.index,
    name: planned.stage.name,
    engine: planned.engine.name,
    model: result.model,
    seed: record.seed,
    ms: record.durationMs,
  });
  return { record, image, resumed: false };
}
