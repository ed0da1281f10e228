import type { EngineImage } from '../engines/engine.js';
import { PermanentError, ValidationError } from '../errors.js';
import { hashBytes, type LoadedImage, loadImage } from '../imaging/index.js';
import type { Location } from '../lineage/records.js';
import { ObjectNotFoundError, ObjectTooLargeError } from '../storage/object-store.js';
import type { JobContext } from './job-context.js';
import { isOwnOutput } from './route.js';

/** An input image, read, checked, normalized and recorded as an asset. */
export interface LoadedAsset {
  assetId: string;
  location: Location;
  image: EngineImage;
  loaded: LoadedImage;
}

/**
 * Reads one input image (the exact generation when known), refusing oversize files
 * before reading them, then sniffs, decodes and normalizes it and records its asset.
 * @param options.minSide overrides MIN_INPUT_SIDE (upscale-first checks the source itself)
 * @param options.storedPng true when no generative engine reads the image (`LoadOptions.storedPng`)
 * @throws InputImageError for unusable images, ValidationError (REFERENCE_MISSING) for missing references
 */
export async function loadAsset(
  ctx: JobContext,
  location: Location & { generation?: string | undefined },
  role: 'image' | 'reference',
  path: string,
  options: { minSide?: number | undefined; storedPng?: boolean | undefined } = {},
): Promise<LoadedAsset> {
  const { store, lineage, config } = ctx.deps;
  if (role === 'reference') await refuseOwnOutput(ctx, location, path);
  let bytes: Buffer;
  try {
    bytes = await store.read(location, { maxBytes: config.limits.maxInputBytes });
  } catch (err) {
    if (err instanceof ObjectTooLargeError) {
      throw new PermanentError(
        'IMAGE_TOO_LARGE',
        `${path}: "${location.name}" is ${err.size} bytes; the limit is ${err.maxBytes} bytes (MAX_INPUT_BYTES)`,
        { cause: err },
      );
    }
    if (err instanceof ObjectNotFoundError) {
      if (role === 'reference') {
        throw new ValidationError(
          'REFERENCE_MISSING',
          [`${path}: "${location.bucket}/${location.name}" does not exist`],
          {
            cause: err,
          },
        );
      }
      throw new PermanentError('SIDECAR_IMAGE_MISSING', `${path}: "${location.name}" no longer exists`, {
        cause: err,
      });
    }
    throw err;
  }
  const loaded = await loadImage(
    bytes,
    {
      maxBytes: config.limits.maxInputBytes,
      maxPixels: config.limits.maxInputPixels,
      minSide: options.minSide ?? config.limits.minInputSide,
    },
    { storedPng: options.storedPng },
  ).catch((err: unknown) => {
    if (err instanceof Error) err.message = `${path} "${location.name}": ${err.message}`;
    throw err;
  });
  const assetId = hashBytes(bytes);
  await lineage.putAsset({
    id: assetId,
    location: { bucket: location.bucket, name: location.name },
    mimeType: `image/${loaded.source.format}`,
    width: loaded.source.width,
    height: loaded.source.height,
    bytes: bytes.length,
    derivedFrom: [],
    createdAt: new Date(ctx.now()),
  });
  return { assetId, location: { bucket: location.bucket, name: location.name }, image: loaded.image, loaded };
}

/**
 * A reference may not be something the pipeline wrote (an edit feeding on its own results
 * would be recursive): objects carrying the output marker, or inside the results prefix.
 */
async function refuseOwnOutput(ctx: JobContext, location: Location, path: string): Promise<void> {
  const { results } = ctx.deps;
  const inResults = location.bucket === results.bucket && location.name.startsWith(results.prefix);
  const info = inResults ? undefined : await ctx.deps.store.stat(location);
  if (inResults || (info && isOwnOutput(info))) {
    throw new ValidationError('REFERENCE_INVALID', [
      `${path}: "${location.bucket}/${location.name}" is an output of the pipeline; references must be source images`,
    ]);
  }
}

/**
 * Loads each distinct reference once, in first-use order.
 * @param options.storedPng true when no generative engine reads the references
 */
export async function loadReferences(
  ctx: JobContext,
  references: { location: Location; path: string }[],
  options: { storedPng?: boolean | undefined } = {},
): Promise<Map<string, LoadedAsset>> {
  const out = new Map<string, LoadedAsset>();
  for (const { location, path } of references) {
    const key = `${location.bucket}/${location.name}`;
    if (!out.has(key)) out.set(key, await loadAsset(ctx, location, 'reference', path, options));
  }
  return out;
}

/** The key {@link loadReferences} files a reference under. */
export function referenceKey(location: Location): string {
  return `${location.bucket}/${location.name}`;
}
