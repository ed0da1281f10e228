import { batchLaneSavings } from '../batch/savings.js';
import {
  digitalSourceTypeFor,
  encodeOutputs,
  hashBytes,
  renderCompareSheet,
  shortCaption,
} from '../imaging/index.js';
import type { JobRecord, OutputRecord } from '../lineage/records.js';
import { enforceChecks, framePreset, runChecks } from '../marketplace/index.js';
import type { Request } from '../request/index.js';
import { checkOutputLimits } from './check-outputs.js';
import type { JobContext } from './job-context.js';
import type { LoadedAsset } from './load-inputs.js';
import { buildManifest } from './manifest.js';
import type { StageOutcome } from './types.js';
import {
  intermediateOutputs,
  writeCompareSheet,
  writeEncodedOutputs,
  writeManifestFile,
} from './write-outputs.js';

/** What {@link finalizeJob} finishes a job from. */
export interface FinalizeInput {
  request: Request;
  source: LoadedAsset;
  references: Map<string, LoadedAsset>;
  /** Every stage of the job, in order, run or reused. */
  stages: StageOutcome[];
  /** Timings of the steps before finalize (`loadMs`, `stagesMs`). */
  timings: Record<string, number>;
}

/**
 * Encodes the requested outputs, the before/after sheet and the manifest (last), then
 * marks the job succeeded.
 * @returns what was written
 * @throws SupersededError when a later attempt took the job over before it was marked
 */
export async function finalizeJob(ctx: JobContext, input: FinalizeInput): Promise<OutputRecord[]> {
  const { request, source, stages } = input;
  const started = ctx.now();
  // An output-only job (no stages) encodes the loaded source itself.
  const last = stages.at(-1);
  const finalImage = last?.image ?? source.image;
  const finalAssetId = last?.record.outputAssetId ?? source.assetId;
  checkOutputLimits(ctx, request, finalImage);
  // A marketplace preset reframes the main output; its checks (and output.checks) run on the
  // encoded files before anything is written, so a failed error-severity check writes no outputs.
  const framed = await framePreset(finalImage, request.output);
  const encoded = await encodeOutputs(
    framed.image,
    framed.output,
    provenanceOf(ctx, input),
    source.loaded.icc,
  );
  const checks = await runChecks({
    files: encoded.filter((out) => out.role === 'final'),
    checks: framed.checks,
    background: framed.output.background,
    enlarge: request.output.enlarge,
  });
  const checkWarnings = enforceChecks(checks);
  // Sequential on purpose: encoding and the sheet side by side would raise the 24 MP peak memory.
  const sheet = request.output.compareSheet
    ? await renderCompareSheet(comparePanels(source, stages))
    : undefined;
  const outputs = await writeEncodedOutputs(ctx, encoded, finalAssetId);
  if (sheet) outputs.push(await writeCompareSheet(ctx, sheet));
  if (request.output.keepIntermediates) outputs.push(...intermediateOutputs(ctx, stages));
  const warnings = [
    ...new Set([...source.loaded.warnings, ...stages.flatMap((s) => s.record.warnings), ...checkWarnings]),
  ];
  const costUsd = stages.reduce((sum, s) => sum + (s.record.costUsd ?? 0), 0);
  const savings = savingsOf(stages);
  const timings = { ...input.timings, finalizeMs: ctx.now() - started, totalMs: ctx.now() - ctx.startedAt };
  const manifest = buildManifest({
    ctx,
    request,
    source,
    references: input.references,
    stages,
    outputs,
    warnings,
    timings,
    costUsd,
    savings,
    ...(checks.length || framed.facts
      ? { checks, preset: framed.facts && { name: request.output.preset, ...framed.facts } }
      : {}),
  });
  outputs.push(await writeManifestFile(ctx, manifest));
  await markSucceeded(ctx, {
    outputs,
    warnings,
    timings,
    costUsd,
    savings,
    ...(checks.length ? { checks } : {}),
  });
  return outputs;
}

// ─── internals ────────────────────────────────────────────────────────────────

/** The provenance every encoded output carries (XMP/IPTC). */
function provenanceOf(ctx: JobContext, input: FinalizeInput) {
  const { stages } = input;
  const fused = stages.some((s) => s.record.referenceAssetIds.length > 0);
  return {
    jobId: ctx.job.id,
    engine: [...new Set(stages.map((s) => s.record.engine))].join('+'),
    model: [...new Set(stages.map((s) => s.record.model))].join('+'),
    promptHash: hashBytes(stages.map((s) => s.record.prompt).join('\n')),
    // Resizing and converting creates no content: an output-only file claims no source type.
    digitalSourceType:
      stages.length > 0
        ? digitalSourceTypeFor(stages.some((s) => s.generative) ? 'generative' : 'local', fused)
        : undefined,
    sourceAssetIds: [input.source.assetId, ...[...input.references.values()].map((r) => r.assetId)],
  };
}

/** Engine calls the job did not pay for: reused results (stage cache, pins) and the batch discount. */
function savingsOf(stages: StageOutcome[]): NonNullable<JobRecord['savings']> {
  const reused = stages
    .flatMap((s) => (s.record.variants ?? [s.record]).map((v) => v.reusedFrom))
    // An output an interrupted attempt of this very job stored is a recovery, not a saving.
    .filter((r) => r && r.via !== 'storage');
  const batchSavedUsd = batchLaneSavings(stages.map((s) => s.record));
  return {
    engineCallsAvoided: reused.length,
    savedUsd: reused.reduce((sum, r) => sum + (r?.savedUsd ?? 0), 0) + batchSavedUsd,
    ...(batchSavedUsd > 0 ? { batchSavedUsd } : {}),
  };
}

/** Marks the job succeeded, fenced in one transaction: a takeover cannot land between check and write. */
async function markSucceeded(
  ctx: JobContext,
  result: Pick<JobRecord, 'outputs' | 'warnings' | 'timings' | 'costUsd' | 'savings' | 'checks'>,
): Promise<void> {
  const now = new Date(ctx.now());
  await ctx.assertOwner(
    ctx.deps.lineage.updateJobIfCurrent(ctx.job.id, {
      fence: { attempt: ctx.attempt },
      patch: {
        status: 'succeeded',
        ...result,
        error: null,
        finishedAt: now,
        updatedAt: now,
        leaseExpiresAt: now,
      },
    }),
  );
}

/** The before/after sheet: the original, then every stage (every variant), labelled. */
function comparePanels(source: LoadedAsset, stages: StageOutcome[]) {
  return [
    { label: 'original', caption: source.location.name, image: source.image },
    ...stages.flatMap((s) =>
      s.variantImages.map((image, k) => ({
        label: `${s.record.index} · ${s.record.name}${s.variantImages.length > 1 ? ` · v${k + 1}${k + 1 === (s.record.chosenVariant ?? 1) ? ' ✓' : ''}` : ''}`,
        caption: shortCaption(
          s.record.rawPrompt || (s.record.reusedFrom ? `from job ${s.record.reusedFrom.jobId}` : ''),
        ),
        image,
      })),
    ),
  ];
}
