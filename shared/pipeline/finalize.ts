import { batchLaneSavings } from '../batch/savings.js';
import { StoreConflictError } from '../errors.js';
import {
  digitalSourceTypeFor,
  encodeOutputs,
  hashBytes,
  renderCompareSheet,
  shortCaption,
} from '../imaging/index.js';
import type { OutputRecord } from '../lineage/records.js';
import { enforceChecks, framePreset, runChecks } from '../marketplace/index.js';
import type { Request } from '../request/index.js';
import { checkOutputLimits } from './check-outputs.js';
import { ownsJob, SupersededError } from './claim.js';
import { nowOf } from './deps.js';
import { type JobContext, outputMetadata } from './job-context.js';
import { COMPARE_FILE, MANIFEST_FILE, outputName } from './layout.js';
import type { LoadedAsset } from './load-inputs.js';
import { buildManifest } from './manifest.js';
import type { StageOutcome } from './run-stages.js';

/**
 * A create-only write that keeps what an earlier attempt of this job already wrote at the
 * same name: it was made from the same recorded stages, so it stands.
 */
async function createOrKeep(
  ctx: JobContext,
  ...args: Parameters<JobContext['deps']['store']['create']>
): Promise<void> {
  try {
    await ctx.deps.store.create(...args);
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    ctx.log.warn('output already written by an earlier attempt; keeping it', { name: args[0].name });
  }
}

/** Engines whose edits are not made by a generative model (for the IPTC digital source type). */
const LOCAL_ENGINES = new Set(['local']);

/**
 * Encodes the requested outputs, the before/after sheet and the manifest (last), then
 * marks the job succeeded.
 * @returns what was written
 */
export async function finalizeJob(
  ctx: JobContext,
  request: Request,
  source: LoadedAsset,
  references: Map<string, LoadedAsset>,
  stages: StageOutcome[],
  timings: Record<string, number>,
): Promise<OutputRecord[]> {
  const { deps } = ctx;
  const started = nowOf(deps);
  // An output-only job (no stages) encodes the loaded source itself.
  const last = stages.at(-1);
  const finalImage = last?.image ?? source.image;
  const finalAssetId = last?.record.outputAssetId ?? source.assetId;
  const generative = stages.some((s) => !LOCAL_ENGINES.has(s.record.engine));
  const fused = stages.some((s) => s.record.referenceAssetIds.length > 0);
  const provenance = {
    jobId: ctx.job.id,
    engine: [...new Set(stages.map((s) => s.record.engine))].join('+'),
    model: [...new Set(stages.map((s) => s.record.model))].join('+'),
    promptHash: hashBytes(stages.map((s) => s.record.prompt).join('\n')),
    // Resizing and converting creates no content: an output-only file claims no source type.
    digitalSourceType: last ? digitalSourceTypeFor(generative ? 'generative' : 'local', fused) : undefined,
    sourceAssetIds: [source.assetId, ...[...references.values()].map((r) => r.assetId)],
  };
  checkOutputLimits(ctx, request, finalImage);
  // A marketplace preset reframes the main output; its checks (and output.checks) run on the
  // encoded files before anything is written, so a failed error-severity check writes no outputs.
  const framed = await framePreset(finalImage, request.output);
  const encoded = await encodeOutputs(framed.image, framed.output, provenance, source.loaded.icc);
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
  const outputs: OutputRecord[] = await Promise.all(
    encoded.map(async (out) => {
      const location = { bucket: deps.results.bucket, name: outputName(ctx.prefix, out.role, out.ext) };
      const assetId = hashBytes(out.data);
      await createOrKeep(ctx, location, out.data, {
        contentType: out.mimeType,
        metadata: outputMetadata(ctx, { 'darkroom-role': out.role }),
        cacheControl: 'public, max-age=31536000, immutable',
      });
      await deps.lineage.putAsset({
        id: assetId,
        location,
        mimeType: out.mimeType,
        width: out.width,
        height: out.height,
        bytes: out.data.length,
        derivedFrom: [finalAssetId],
        producedBy: { jobId: ctx.job.id, role: out.role },
        createdAt: new Date(nowOf(deps)),
      });
      const record: OutputRecord = {
        ...location,
        role: out.role,
        format: out.format,
        assetId,
        width: out.width,
        height: out.height,
        bytes: out.data.length,
      };
      return record;
    }),
  );
  if (sheet) {
    const location = { bucket: deps.results.bucket, name: `${ctx.prefix}${COMPARE_FILE}` };
    await createOrKeep(ctx, location, sheet, {
      contentType: 'image/jpeg',
      metadata: outputMetadata(ctx, { 'darkroom-role': 'compare' }),
    });
    outputs.push({ ...location, role: 'compare', format: 'jpeg', bytes: sheet.length });
  }
  // Intermediates are never deleted here: the runtime may not delete (objectCreator only),
  // and they are the resume points until the job is marked succeeded. They carry a custom
  // time, and the results bucket's lifecycle rule expires them.
  if (request.output.keepIntermediates) {
    for (const s of stages.filter((st) => st.record.output.name.startsWith(ctx.prefix))) {
      outputs.push({
        ...s.record.output,
        role: `stage-${s.record.index}`,
        format: s.image.mimeType.split('/')[1] ?? 'png',
        assetId: s.record.outputAssetId,
        width: s.record.width,
        height: s.record.height,
        bytes: 0,
      });
    }
  }
  const warnings = [
    ...new Set([...source.loaded.warnings, ...stages.flatMap((s) => s.record.warnings), ...checkWarnings]),
  ];
  const costUsd = stages.reduce((sum, s) => sum + (s.record.costUsd ?? 0), 0);
  const reused = stages
    .flatMap((s) => (s.record.variants ?? [s.record]).map((v) => v.reusedFrom))
    // An output an interrupted attempt of this very job stored is a recovery, not a saving.
    .filter((r) => r && r.via !== 'storage');
  const batchSavedUsd = batchLaneSavings(stages.map((s) => s.record));
  const savings = {
    engineCallsAvoided: reused.length,
    savedUsd: reused.reduce((sum, r) => sum + (r?.savedUsd ?? 0), 0) + batchSavedUsd,
    ...(batchSavedUsd > 0 ? { batchSavedUsd } : {}),
  };
  const allTimings = { ...timings, finalizeMs: nowOf(deps) - started, totalMs: nowOf(deps) - ctx.startedAt };
  const manifest = buildManifest({
    ctx,
    request,
    source,
    references,
    stages,
    outputs,
    warnings,
    timings: allTimings,
    costUsd,
    savings,
    ...(checks.length || framed.facts
      ? { checks, preset: framed.facts && { name: request.output.preset, ...framed.facts } }
      : {}),
  });
  const manifestLocation = { bucket: deps.results.bucket, name: `${ctx.prefix}${MANIFEST_FILE}` };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  outputs.push({ ...manifestLocation, role: 'manifest', format: 'json', bytes: manifestBytes.length });
  await createOrKeep(ctx, manifestLocation, manifestBytes, {
    contentType: 'application/json',
    metadata: outputMetadata(ctx, { 'darkroom-role': 'manifest' }),
  });
  const marked = await deps.lineage.updateJobIfCurrent(ctx.job.id, {
    fence: { attempt: ctx.attempt },
    patch: {
      status: 'succeeded',
      outputs,
      warnings,
      timings: allTimings,
      costUsd,
      savings,
      error: null,
      ...(checks.length ? { checks } : {}),
      finishedAt: new Date(nowOf(deps)),
      updatedAt: new Date(nowOf(deps)),
      leaseExpiresAt: new Date(nowOf(deps)),
    },
  });
  // Fenced in one transaction: a takeover cannot land between the ownership check and this write.
  if (!marked) throw new SupersededError(ctx.job.id, ctx.attempt);
  return outputs;
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
