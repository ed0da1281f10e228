import { PermanentError, ValidationError } from '../errors.js';
import type { Request } from '../request/index.js';
import { nowOf } from './deps.js';
import { finalizeJob } from './finalize.js';
import type { JobContext } from './job-context.js';
import { loadAsset, loadReferences } from './load-inputs.js';
import { planStages } from './plan.js';
import { runStages } from './run-stages.js';

/**
 * Runs one claimed attempt of a job: plan and check every stage, load the image and the
 * references, run (or resume) the stages, finalize. Errors propagate to the caller,
 * which decides between failing the job and redelivery.
 */
export async function runJob(ctx: JobContext, parsed: Request | ValidationError) {
  if (parsed instanceof ValidationError) throw parsed;
  const request: Request = parsed;
  const { deps } = ctx;
  const t0 = nowOf(deps);
  const stages = planStages(ctx, request);
  await deps.lineage.updateJob(ctx.job.id, {
    request: request as unknown as Record<string, unknown>,
    engine: [...new Set(stages.map((s) => s.engine.name))].join('+'),
    model: [...new Set(stages.map((s) => s.enginePlan.model))].join('+'),
    labels: request.labels,
    updatedAt: new Date(nowOf(deps)),
  });
  if (!ctx.image) throw new PermanentError('SIDECAR_IMAGE_MISSING', 'the job has no image');
  const source = await loadAsset(ctx, ctx.image, 'image', 'image');
  const references = await loadReferences(
    ctx,
    stages.flatMap((s) =>
      s.references.map((location, r) => ({ location, path: `stages[${s.index - 1}].references[${r}]` })),
    ),
  );
  const t1 = nowOf(deps);
  const outcomes = await runStages(ctx, stages, source, references);
  const t2 = nowOf(deps);
  return finalizeJob(ctx, request, source, references, outcomes, { loadMs: t1 - t0, stagesMs: t2 - t1 });
}
