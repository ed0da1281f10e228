import { StoreConflictError } from '../errors.js';
import { type EncodedOutput, hashBytes } from '../imaging/index.js';
import type { OutputRecord } from '../lineage/records.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { JobContext } from './job-context.js';
import { COMPARE_FILE, MANIFEST_FILE, outputName } from './layout.js';
import type { StageOutcome } from './types.js';

/**
 * Writes the encoded outputs of a job (create-only) and records each as an asset derived from
 * the last stage's output.
 * @param derivedFrom the asset id of the image the outputs were encoded from
 * @returns one record per output, in order
 */
export async function writeEncodedOutputs(
  ctx: JobContext,
  encoded: EncodedOutput[],
  derivedFrom: string,
): Promise<OutputRecord[]> {
  const { deps } = ctx;
  return Promise.all(
    encoded.map(async (out) => {
      const location = { bucket: deps.results.bucket, name: outputName(ctx.prefix, out.role, out.ext) };
      const assetId = hashBytes(out.data);
      await createOrKeep(ctx, location, out.data, {
        contentType: out.mimeType,
        metadata: ctx.outputMetadata({ 'darkroom-role': out.role }),
        cacheControl: 'public, max-age=31536000, immutable',
      });
      await deps.lineage.putAsset({
        id: assetId,
        location,
        mimeType: out.mimeType,
        width: out.width,
        height: out.height,
        bytes: out.data.length,
        derivedFrom: [derivedFrom],
        producedBy: { jobId: ctx.job.id, role: out.role },
        createdAt: new Date(ctx.now()),
      });
      return {
        ...location,
        role: out.role,
        format: out.format,
        assetId,
        width: out.width,
        height: out.height,
        bytes: out.data.length,
      };
    }),
  );
}

/** Writes the before/after sheet (JPEG). @returns its output record */
export async function writeCompareSheet(ctx: JobContext, sheet: Buffer): Promise<OutputRecord> {
  const location = { bucket: ctx.deps.results.bucket, name: `${ctx.prefix}${COMPARE_FILE}` };
  await createOrKeep(ctx, location, sheet, {
    contentType: 'image/jpeg',
    metadata: ctx.outputMetadata({ 'darkroom-role': 'compare' }),
  });
  return { ...location, role: 'compare', format: 'jpeg', bytes: sheet.length };
}

/** Writes `manifest.json`, the job's last file. @returns its output record */
export async function writeManifestFile(
  ctx: JobContext,
  manifest: Record<string, unknown>,
): Promise<OutputRecord> {
  const location = { bucket: ctx.deps.results.bucket, name: `${ctx.prefix}${MANIFEST_FILE}` };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  await createOrKeep(ctx, location, bytes, {
    contentType: 'application/json',
    metadata: ctx.outputMetadata({ 'darkroom-role': 'manifest' }),
  });
  return { ...location, role: 'manifest', format: 'json', bytes: bytes.length };
}

/**
 * The stored stage outputs of this job, listed as outputs when the request keeps intermediates.
 * They are never deleted here: the runtime may not delete (objectCreator only), and they are the
 * resume points until the job is marked succeeded. They carry a custom time, and the results
 * bucket's lifecycle rule expires them.
 */
export function intermediateOutputs(ctx: JobContext, stages: StageOutcome[]): OutputRecord[] {
  return stages
    .filter((s) => s.record.output.name.startsWith(ctx.prefix))
    .map((s) => ({
      ...s.record.output,
      role: `stage-${s.record.index}`,
      format: s.image.mimeType.split('/')[1] ?? 'png',
      assetId: s.record.outputAssetId,
      width: s.record.width,
      height: s.record.height,
      bytes: 0,
    }));
}

// ─── internals ────────────────────────────────────────────────────────────────

/**
 * A create-only write that keeps what an earlier attempt of this job already wrote at the
 * same name: it was made from the same recorded stages, so it stands.
 */
async function createOrKeep(ctx: JobContext, ...args: Parameters<ObjectStore['create']>): Promise<void> {
  try {
    await ctx.deps.store.create(...args);
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    ctx.log.warn('output already written by an earlier attempt; keeping it', { name: args[0].name });
  }
}
