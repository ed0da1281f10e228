import { ValidationError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { JobContext } from './job-context.js';
import { folderOf } from './layout.js';
import type { PlannedStage, Produced } from './types.js';

/** Extension of a stage output by MIME type. */
export const STAGE_EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** The result an earlier job's stage produced, for a stage that continues `from` it. */
export async function readPinned(ctx: JobContext, planned: PlannedStage): Promise<Produced> {
  const from = planned.from as NonNullable<PlannedStage['from']>;
  const path = `${planned.path}.from`;
  await checkPinScope(ctx, from.job, path);
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

/**
 * A pin may name only a job on the same source image, or on an image in the sidecar's folder tree
 * (job ids show in result paths, so knowing one must not be enough); `REFERENCE_SCOPE=bucket`
 * allows any job on an image of the same bucket.
 * @throws ValidationError `REFERENCE_INVALID` (a job that does not exist is left to the stage lookup)
 */
async function checkPinScope(ctx: JobContext, jobId: string, path: string): Promise<void> {
  const pinned = await ctx.deps.lineage.getJob(jobId);
  if (!pinned) return;
  const theirs = pinned.inputs.image ?? pinned.inputs.request;
  const ours = ctx.image ?? ctx.request;
  const sameBucket = theirs?.bucket === ours.bucket;
  const scope = ctx.deps.config.referenceScope;
  const allowed =
    sameBucket &&
    (theirs?.name === ours.name ||
      scope === 'bucket' ||
      !!theirs?.name.startsWith(folderOf(ctx.request.name)));
  if (allowed) return;
  throw new ValidationError('REFERENCE_INVALID', [
    `${path}: job ${jobId} ran on an image outside this sidecar's folder "${folderOf(ctx.request.name)}" (REFERENCE_SCOPE=${scope})`,
  ]);
}

/** A stored output at `stem` + a stage extension. */
export async function findStoredOutput(ctx: JobContext, stem: string) {
  const found = await ctx.deps.store.list(ctx.deps.results.bucket, stem);
  return found.find((o) => Object.values(STAGE_EXT).some((ext) => o.name === `${stem}${ext}`));
}
