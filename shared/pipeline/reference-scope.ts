import { ValidationError } from '../errors.js';
import type { Location } from '../lineage/records.js';

/** How far references into the request's own bucket may reach: `folder` (default) or `bucket`. */
export const REFERENCE_SCOPES = ['folder', 'bucket'] as const;
/** One of {@link REFERENCE_SCOPES}. */
export type ReferenceScope = (typeof REFERENCE_SCOPES)[number];

/**
 * Whether a sidecar in `folder` may read `name` of its own bucket under the `folder` scope: names
 * in its folder tree, and names in a library folder (a segment starting with `_`) directly under
 * the folder or under any folder above it. So `shop/a/x.json` may read `shop/a/**`, `shop/_scenes/**`
 * and `_scenes/**`, but not `shop/b/**` or `tenantB/**`.
 */
export function inFolderScope(folder: string, name: string): boolean {
  if (name.startsWith(folder)) return true;
  const segments = folder.split('/').filter(Boolean);
  for (let depth = segments.length - 1; depth >= 0; depth--) {
    const above = segments.slice(0, depth).join('/');
    const prefix = above ? `${above}/` : '';
    if (name.startsWith(prefix) && name.slice(prefix.length).startsWith('_')) return true;
  }
  return false;
}

/**
 * Refuses a reference into the request's own bucket that leaves its scope. Other buckets are on
 * `REFERENCE_BUCKETS` because they are shared libraries: they are not scoped.
 * @throws ValidationError `REFERENCE_INVALID`
 */
export function checkReferenceScope(
  location: Location,
  context: { bucket: string; folder: string; scope: ReferenceScope },
  path: string,
): void {
  if (context.scope === 'bucket' || location.bucket !== context.bucket) return;
  if (inFolderScope(context.folder, location.name)) return;
  throw new ValidationError('REFERENCE_INVALID', [
    `${path}: "gs://${location.bucket}/${location.name}" is outside the sidecar's folder "${context.folder}" and its "_" library folders (REFERENCE_SCOPE=folder)`,
  ]);
}
