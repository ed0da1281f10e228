import { createHash } from 'node:crypto';
import type { EngineImage } from '../engines/engine.js';
import { TransientError } from '../errors.js';
import { decodeEngineImage, hashBytes } from '../imaging/index.js';
import type { CachedStage } from '../lineage/records.js';
import type { JobContext } from './job-context.js';

/** Everything that determines a stage's output. */
export interface StageCacheInputs {
  engine: string;
  model: string;
  inputAssetId: string;
  referenceAssetIds: string[];
  prompt: string;
  params: Record<string, unknown>;
}

/**
 * The content address of a stage: a hash of the engine, model, input and reference
 * assets (hashes, not names), effective prompt and parameters, seed included.
 */
export function stageCacheKey(inputs: StageCacheInputs): string {
  return createHash('sha256')
    .update(`darkroom/stage/v1\n${canonicalJson(inputs)}`)
    .digest('hex');
}

/** JSON with sorted keys and no undefined values, so equal inputs hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A cached stage output, read and verified by hash; undefined when there is none or it
 * no longer matches (deleted intermediates simply miss).
 */
export async function readCachedStage(
  ctx: JobContext,
  key: string,
): Promise<{ entry: CachedStage; data: Buffer; image: EngineImage } | undefined> {
  const entry = await ctx.deps.lineage.getCachedStage(key);
  if (!entry) return undefined;
  // A transient read error is rethrown (redelivery reads the cache again), or the stage would be
  // computed and paid for again while its cached output is there; anything else is a miss.
  const data = await ctx.deps.store.read(entry.output).catch((err: unknown) => {
    if (err instanceof TransientError) throw err;
    return undefined;
  });
  if (!data || hashBytes(data) !== entry.outputAssetId) {
    ctx.log.warn('stage cache entry no longer matches its stored output; recomputing', { key });
    return undefined;
  }
  return { entry, data, image: await decodeEngineImage(data) };
}
