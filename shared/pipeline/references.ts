import { ValidationError } from '../errors.js';
import type { Location } from '../lineage/records.js';
import { resolveSibling } from './pair.js';
import { checkReferenceScope, type ReferenceScope } from './reference-scope.js';
import { isHiddenPath, isLibraryPath, kindOfName } from './route.js';

/** What reference resolution needs to know. */
export interface ReferenceContext {
  /** The bucket the request came from: relative names resolve there. */
  bucket: string;
  /** The folder of the sidecar or recipe, ending in `/` (or `''`). */
  folder: string;
  /** Buckets that `gs://` references may name (the input bucket is always allowed). */
  allowedBuckets: readonly string[];
  /** The request object itself, which may never be used as an image. */
  requestName: string;
  /** How far names in the request's own bucket may reach (`REFERENCE_SCOPE`; default `folder`). */
  scope?: ReferenceScope | undefined;
}

/**
 * Resolves a stage reference to an object location. Relative names resolve in the
 * input bucket, relative to the request's folder; `gs://bucket/name` only for allowed
 * buckets. `..` segments, absolute paths, URLs of any other scheme, JSON files, hidden
 * files and the request itself are refused: the pipeline never fetches an arbitrary URL
 * or reads a bucket it was not told to.
 * @throws ValidationError (REFERENCE_INVALID) saying why
 */
export function resolveReference(reference: string, context: ReferenceContext, path: string): Location {
  let location: Location;
  const gs = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220})\/(.+)$/i.exec(reference);
  if (gs) {
    const [, bucket = '', name = ''] = gs;
    if (bucket !== context.bucket && !context.allowedBuckets.includes(bucket)) {
      throw new ValidationError('REFERENCE_INVALID', [
        `${path}: bucket "${bucket}" is not on the allow-list (REFERENCE_BUCKETS)`,
      ]);
    }
    if (name.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new ValidationError('REFERENCE_INVALID', [
        `${path}: "${reference}" must not contain "..", "." or empty segments`,
      ]);
    }
    location = { bucket, name };
    checkReferenceScope(location, { ...context, scope: context.scope ?? 'folder' }, path);
  } else {
    let resolved: string;
    try {
      resolved = resolveSibling(context.folder, reference);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      throw new ValidationError(
        'REFERENCE_INVALID',
        err.issues.map((i) => `${path}: ${i}`),
        { cause: err },
      );
    }
    location = { bucket: context.bucket, name: resolved };
  }
  if (location.bucket === context.bucket && location.name === context.requestName) {
    throw new ValidationError('REFERENCE_INVALID', [`${path}: a request cannot use itself as an image`]);
  }
  const route = kindOfName(location.name);
  if (
    route.kind !== 'input' &&
    !(route.kind === 'ignore' && isLibraryPath(location.name) && !isHiddenPath(location.name))
  ) {
    throw new ValidationError('REFERENCE_INVALID', [
      `${path}: "${reference}" is ${route.kind === 'ignore' ? route.reason : `a ${route.kind}`}, not an image`,
    ]);
  }
  // A library folder may hold requests too; a JSON file is never an image.
  if (location.name.toLowerCase().endsWith('.json')) {
    throw new ValidationError('REFERENCE_INVALID', [
      `${path}: "${reference}" is a JSON file (a request), not an image`,
    ]);
  }
  return location;
}
