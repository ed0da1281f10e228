import type { JobRecord, OutputRecord } from '../lineage/records.js';
import type { CheckResult } from '../marketplace/index.js';
import type { Request } from '../request/index.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import { MANIFEST_VERSION, type Manifest, type ManifestSchema } from './manifest-schema.js';
import { sizeShortfalls } from './size-shortfall.js';
import type { StageOutcome } from './types.js';

/**
 * `manifest.json`: the job's completion record, written last so that an integration can
 * trigger on it. Everything needed to reproduce or audit the result: inputs with hashes,
 * the effective prompt, seed, parameters, engine and model of every stage, timings,
 * warnings, costs and outputs.
 *
 * The stage entries of `outputs` (role `stage-N`) are completed in place, so that the job
 * record built from the same array agrees with the manifest: each carries the bytes of its
 * file, and every other variant file of the stage is listed too (`stage-N-variant-K`). Likewise
 * `warnings` gains a line for each output smaller than the `maxSize` asked for.
 * @returns the manifest, of the shape {@link ManifestSchema} parses (docs/schemas/manifest.schema.json)
 */
export function buildManifest(options: {
  ctx: JobContext;
  request: Request;
  source: LoadedAsset;
  references: Map<string, LoadedAsset>;
  stages: StageOutcome[];
  outputs: OutputRecord[];
  warnings: string[];
  timings: Record<string, number>;
  costUsd: number;
  savings: { engineCallsAvoided: number; savedUsd: number; batchSavedUsd?: number | undefined };
  /** Marketplace and output checks: measurement and verdict per check and file. */
  checks?: CheckResult[] | undefined;
  /** What a marketplace preset did to the main output. */
  preset?: Record<string, unknown> | undefined;
}): Manifest {
  const { ctx, request, source, stages } = options;
  const job: JobRecord = ctx.job;
  completeStageOutputs(options.outputs, stages, ctx.prefix);
  // In place too: the job record's warnings are the same array, so the report shows them.
  for (const w of sizeShortfalls(request.output, options.outputs)) {
    if (!options.warnings.includes(w)) options.warnings.push(w);
  }
  return {
    manifestVersion: MANIFEST_VERSION,
    jobId: job.id,
    status: 'succeeded',
    attempt: ctx.attempt,
    previousJobId: job.previousJobId,
    createdAt: job.createdAt.toISOString(),
    finishedAt: new Date(ctx.now()).toISOString(),
    inputs: {
      image: {
        ...job.inputs.image,
        sha256: source.assetId,
        format: source.loaded.source.format,
        width: source.loaded.source.width,
        height: source.loaded.source.height,
        bytes: source.loaded.source.bytes,
      },
      request: { ...job.inputs.request, kind: job.inputs.requestKind },
      references: [...options.references.values()].map((r) => ({
        ...r.location,
        sha256: r.assetId,
        width: r.loaded.source.width,
        height: r.loaded.source.height,
      })),
    },
    labels: request.labels,
    request,
    stages: stages.map(({ record, resumed }) => ({
      index: record.index,
      name: record.name,
      engine: record.engine,
      model: record.model,
      prompt: record.rawPrompt,
      effectivePrompt: record.prompt,
      seed: record.seed,
      seedSource: record.seedSource,
      params: record.params,
      input: record.inputAssetId,
      references: record.referenceAssetIds,
      output: { ...record.output, sha256: record.outputAssetId, width: record.width, height: record.height },
      durationMs: record.durationMs,
      attempt: record.attempt,
      resumed,
      warnings: record.warnings,
      usage: record.usage,
      costUsd: record.costUsd,
      lane: record.details?.lane === 'batch' ? 'batch' : undefined,
      reusedFrom: record.reusedFrom,
      details: record.details,
      variants: record.variants,
      chosenVariant: record.chosenVariant,
      protect: record.details?.protect,
    })),
    outputs: options.outputs,
    warnings: options.warnings,
    timings: options.timings,
    costUsd: options.costUsd,
    lane: job.lane ?? 'interactive',
    savings: options.savings,
    ...(options.checks ? { checks: options.checks } : {}),
    ...(options.preset ? { preset: options.preset } : {}),
  };
}

/**
 * Completes the `stage-N` entries of a job's outputs: the real size of each file, and the
 * variant files 2..N (role `stage-N-variant-K`) that live under this job's prefix. Outputs
 * reused from other jobs are theirs and stay out.
 * @param outputs the job's outputs; changed in place
 * @param stages the stage outcomes of the job
 * @param prefix the job's results prefix
 */
export function completeStageOutputs(outputs: OutputRecord[], stages: StageOutcome[], prefix: string): void {
  for (const { record } of stages) {
    const role = `stage-${record.index}`;
    const entry = outputs.find((o) => o.role === role);
    if (entry && entry.name === record.output.name) entry.bytes = record.bytes;
    const chosen = record.chosenVariant ?? 1;
    for (const v of record.variants ?? []) {
      const name = `${role}-variant-${v.variant}`;
      if (!entry || v.variant === chosen || !v.output.name.startsWith(prefix)) continue;
      if (outputs.some((o) => o.role === name)) continue;
      outputs.push({
        ...v.output,
        role: name,
        format: entry.format,
        assetId: v.outputAssetId,
        width: v.width,
        height: v.height,
        bytes: v.bytes,
      });
    }
  }
}
