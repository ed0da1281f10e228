import { basename } from 'node:path';
import { type Config, ConfigError } from '../config.js';
import type { EnginePlan, StagePlan } from '../engines/engine.js';
import { ValidationError } from '../errors.js';
import { loadNotifyConfig } from '../notify/notify-config.js';
import { webhookHostProblem } from '../notify/webhook-target.js';
import { resolveImageField, resolveReference, UPSCALE_STAGE_NAME } from '../pipeline/index.js';
import type { Request } from '../request/index.js';

/**
 * The checks `darkroom run` makes before reading any image, made by `darkroom validate` too, so
 * that validate never passes what run refuses: reference rules, and the upscale stage the
 * `upscale` option adds.
 */

/**
 * Checks the sidecar's `image` (a file in its own folder) and every stage reference as the
 * pipeline resolves them: relative to the sidecar's folder, in the drop bucket, `gs://` only on
 * an allow-listed bucket.
 * @param request the decoded request
 * @param options.file the sidecar's path (its own name may not be a reference)
 * @param options.config the configuration (REFERENCE_BUCKETS)
 * @returns one problem per refused reference, prefixed with REFERENCE_INVALID
 */
export function referenceProblems(request: Request, options: { file: string; config: Config }): string[] {
  const problems: string[] = [];
  try {
    if (request.image !== undefined) resolveImageField('', request.image);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.issues.map((issue) => `REFERENCE_INVALID: ${issue}`));
  }
  for (const [i, stage] of request.stages.entries()) {
    for (const [r, ref] of stage.references.entries()) {
      try {
        resolveReference(
          ref,
          {
            bucket: 'drop',
            folder: '',
            allowedBuckets: options.config.referenceBuckets,
            requestName: basename(options.file),
          },
          `stages[${i}].references[${r}]`,
        );
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems.push(...err.issues.map((issue) => `REFERENCE_INVALID: ${issue}`));
      }
    }
  }
  return problems;
}

/**
 * The plan of the stage that the `upscale` option adds before the edits, as run plans it
 * (the seed does not matter to planning).
 * @returns undefined without an `upscale` option
 */
export function upscaleStagePlan(request: Request): StagePlan | undefined {
  if (!request.upscale) return undefined;
  const factor = request.upscale.factor ?? 4;
  return {
    index: 1,
    name: UPSCALE_STAGE_NAME,
    model: request.upscale.model,
    prompt: `Upscale the source ${factor}× before editing`,
    referenceCount: 0,
    params: { seed: 0, extra: { scale: factor } },
  };
}

/** A request stage that takes the name of the stage the `upscale` option adds. */
export function upscaleNameClash(request: Request): string | undefined {
  if (!request.upscale) return undefined;
  const clash = request.stages.findIndex((s) => s.name === UPSCALE_STAGE_NAME);
  return clash === -1
    ? undefined
    : `REQUEST_INVALID: stages[${clash}].name: "${UPSCALE_STAGE_NAME}" is the name of the stage the "upscale" option adds; rename this stage`;
}

/** The lines validate prints for the upscale stage. */
export function describeUpscale(
  request: Request,
  options: { config: Config; plan?: EnginePlan | undefined; note?: string | undefined },
): string[] {
  const upscale = request.upscale;
  if (!upscale) return [];
  const threshold = Math.max(upscale.minSourceSide, options.config.limits.minInputSide);
  return [
    `stage 1 ${UPSCALE_STAGE_NAME} (added by the "upscale" option; the edits are numbered from 2 when it runs)`,
    `  runs      only when the source's shorter side is below ${threshold} px; factor ${upscale.factor ?? '2 or 4 (whichever reaches it)'}`,
    `  engine    ${upscale.engine}/${options.plan?.model ?? upscale.model}`,
    ...(options.note ? [`  note      ${options.note}`] : []),
  ];
}

/**
 * Checks a request's `notify.url` against `WEBHOOK_HOSTS` as the pipeline does before a stage
 * runs (the job would fail `REQUEST_INVALID`).
 * @param request the decoded request
 * @param env the environment `run` would see (WEBHOOK_HOSTS, WEBHOOK_SECRET)
 * @returns one problem when the target is refused, or the webhook settings are invalid
 */
export function notifyProblems(request: Request, env: NodeJS.ProcessEnv): string[] {
  if (!request.notify) return [];
  try {
    const problem = webhookHostProblem(request.notify.url, loadNotifyConfig(env).webhook.hosts);
    return problem ? [`REQUEST_INVALID: ${problem}`] : [];
  } catch (err) {
    if (err instanceof ConfigError) return [`webhook settings: ${err.message}`];
    throw err;
  }
}
