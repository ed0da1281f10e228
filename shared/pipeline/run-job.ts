import { PermanentError, ValidationError } from '../errors.js';
import type { JobRecord } from '../lineage/records.js';
import { webhookHostProblem } from '../notify/webhook-target.js';
import type { Request } from '../request/index.js';
import { checkOutputNames } from './check-names.js';
import { checkOutputLimits } from './check-outputs.js';
import { completeFromManifest } from './complete-from-manifest.js';
import { finalizeJob } from './finalize.js';
import { stageWindow } from './handoff.js';
import type { JobContext } from './job-context.js';
import { loadAsset, loadReferences } from './load-inputs.js';
import { planStages, sentToNoModel } from './plan.js';
import { runStages } from './run-stages.js';
import type { PlannedStage } from './types.js';
import { checkUpscale, planUpscaleFirst, sourceMinSide } from './upscale.js';

/**
 * The most recent earlier job on the same image: this job is a revision of it, and
 * inherits the seeds its stages ran with.
 */
async function findPreviousJob(ctx: JobContext): Promise<JobRecord | undefined> {
  if (ctx.job.previousJobId) return ctx.deps.lineage.getJob(ctx.job.previousJobId);
  const jobs = await ctx.deps.lineage.listJobs({ sourceKey: ctx.job.sourceKey, limit: 20 });
  return jobs.find((j) => j.id !== ctx.job.id && j.createdAt.getTime() <= ctx.job.createdAt.getTime());
}

/** The job's `engine` and `model` fields: each distinct name of its stages, joined with `+`. */
function enginesOf(stages: PlannedStage[]): { engine: string; model: string } {
  return {
    engine: [...new Set(stages.map((s) => s.engine.name))].join('+'),
    model: [...new Set(stages.map((s) => s.enginePlan.model))].join('+'),
  };
}

/**
 * Runs one claimed attempt of a job: plan and check every stage, load the image and the
 * references, run (or resume) the stages, finalize. Errors propagate to the caller,
 * which decides between failing the job and redelivery.
 */
export async function runJob(ctx: JobContext, request: Request) {
  const { deps } = ctx;
  const t0 = ctx.now();
  // Only a generative engine (or an upscale, which always is one) is sent the normalised PNG.
  const localOnly = sentToNoModel(ctx, request);
  // The source is read, decoded and recorded while the lineage is read: neither waits for the
  // other. Its errors surface where it is awaited, after the request's own checks.
  const loading = ctx.image
    ? loadAsset(ctx, ctx.image, 'image', 'image', { minSide: sourceMinSide(request), storedPng: localOnly })
    : undefined;
  loading?.catch(() => undefined);
  // Two independent reads: a finished job's manifest, and the job this one revises.
  const [finished, previous] = await Promise.all([
    completeFromManifest(deps, { jobId: ctx.job.id, prefix: ctx.prefix }),
    findPreviousJob(ctx),
  ]);
  if (finished) return finished;
  const inheritedSeeds = new Map(
    previous ? (await deps.lineage.listStages(previous.id)).map((s) => [s.name, s.seed] as const) : [],
  );
  ctx.job.previousJobId = previous?.id;
  const stages = planStages(ctx, request, { seeds: inheritedSeeds });
  checkOutputNames(ctx, request, stages);
  checkUpscale(ctx, request);
  const notifyProblem = request.notify && webhookHostProblem(request.notify.url, deps.webhookHosts ?? []);
  if (notifyProblem) throw new ValidationError('REQUEST_INVALID', [notifyProblem]);
  const recording = deps.lineage.updateJob(ctx.job.id, {
    previousJobId: previous?.id,
    request: request as unknown as Record<string, unknown>,
    ...enginesOf(stages),
    labels: request.labels,
    updatedAt: new Date(ctx.now()),
  });
  if (!loading) {
    await recording;
    throw new PermanentError('SIDECAR_IMAGE_MISSING', 'the job has no image');
  }
  // The job record's request and the source image are independent: written and read side by side,
  // both settled before anything else touches the job.
  const [recorded, loadedSource] = await Promise.allSettled([recording, loading]);
  if (recorded.status === 'rejected') throw recorded.reason;
  if (loadedSource.status === 'rejected') throw loadedSource.reason;
  const source = loadedSource.value;
  checkOutputLimits(ctx, request, source.image);
  // Upscale-first makes the same decision on every attempt (it depends only on the source).
  const upscale = planUpscaleFirst(ctx, request, source, inheritedSeeds);
  const planned = upscale
    ? [upscale, ...planStages(ctx, request, { seeds: inheritedSeeds }, { firstIndex: 2 })]
    : stages;
  if (upscale) {
    await deps.lineage.updateJob(ctx.job.id, enginesOf(planned));
  }
  const references = await loadReferences(
    ctx,
    stages.flatMap((s) =>
      s.references.map((location, r) => ({ location, path: `${s.path}.references[${r}]` })),
    ),
    { storedPng: localOnly },
  );
  const t1 = ctx.now();
  // Tasks mode runs a window of the stages and hands the rest to a queue (handoff.ts).
  const window = await stageWindow(ctx, planned);
  const outcomes = await runStages(ctx, window.run, source, references, {
    cache: request.cache && deps.config.stageCache,
    keepIntermediates: request.output.keepIntermediates,
    localOnly,
  });
  if (window.handoff) return window.handoff;
  const t2 = ctx.now();
  return finalizeJob(ctx, {
    request,
    source,
    references,
    stages: outcomes,
    timings: { loadMs: t1 - t0, stagesMs: t2 - t1 },
  });
}
