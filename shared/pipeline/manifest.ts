import type { JobRecord, OutputRecord } from '../lineage/records.js';
import type { Request } from '../request/index.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import type { StageOutcome } from './run-stages.js';

/** The manifest format version. */
export const MANIFEST_VERSION = 1;

/**
 * `manifest.json`: the job's completion record, written last so that an integration can
 * trigger on it. Everything needed to reproduce or audit the result: inputs with hashes,
 * the effective prompt, seed, parameters, engine and model of every stage, timings,
 * warnings, costs and outputs.
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
}): Record<string, unknown> {
  const { ctx, request, source, stages } = options;
  const job: JobRecord = ctx.job;
  return {
    manifestVersion: MANIFEST_VERSION,
    jobId: job.id,
    status: 'succeeded',
    attempt: ctx.attempt,
    previousJobId: job.previousJobId,
    createdAt: job.createdAt.toISOString(),
    finishedAt: new Date(ctx.deps.now?.() ?? Date.now()).toISOString(),
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
      variants: record.variants,
      chosenVariant: record.chosenVariant,
    })),
    outputs: options.outputs,
    warnings: options.warnings,
    timings: options.timings,
    costUsd: options.costUsd,
    lane: job.lane ?? 'interactive',
    savings: options.savings,
  };
}
