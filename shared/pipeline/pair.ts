import { ValidationError } from '../errors.js';
import type { InputRef } from '../lineage/records.js';
import { escapeGlob } from '../storage/match-glob.js';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';
import { baseName, folderOf, stemOf } from './layout.js';
import { type ParsedRequest, readRequest as readRequestObject } from './read-request.js';
import { hasImageExtension, RECIPE_FILE, routeObject } from './route.js';

/** The names in one folder that can be sidecars: `.json` in any case, as {@link routeObject} tells. */
const SIDECAR_GLOB = '*.[jJ][sS][oO][nN]';

/** The outcome of pairing an arrival with its partner. */
export type Pairing =
  | {
      kind: 'job';
      image: ObjectInfo;
      request: ObjectInfo;
      requestKind: 'sidecar' | 'recipe';
      /** The parsed request, or the error that parsing raised. */
      parsed: ParsedRequest<ValidationError>;
    }
  | { kind: 'invalid'; request: ObjectInfo; image?: ObjectInfo | undefined; error: ValidationError }
  | {
      kind: 'wait';
      reason: string;
      /** true when nothing would ever pair this arrival by itself (a non-image file with no sidecar). */
      unrelated?: boolean | undefined;
    };

/** Options of {@link pairObject}. */
export interface PairOptions {
  store: ObjectStore;
  maxRequestBytes: number;
  /** How many sidecars of a folder to read when looking for one that names an image. */
  maxSidecarScan?: number;
}

/** An object's exact identity, as kept in lineage. */
export function refOf(info: ObjectInfo): InputRef {
  return { bucket: info.bucket, name: info.name, generation: info.generation };
}

/**
 * Pairs an arrival with its partner: an input with its same-stem sidecar (or a sidecar
 * in its folder that names it, or the nearest `_recipe.json`), a sidecar with its
 * image. Either may arrive first; the second arrival completes the pair.
 */
export async function pairObject(arrival: ObjectInfo, options: PairOptions): Promise<Pairing> {
  const route = routeObject(arrival);
  if (route.kind === 'sidecar') return pairSidecar(arrival, options);
  if (route.kind === 'input') return pairInput(arrival, options);
  return {
    kind: 'wait',
    reason: route.kind === 'recipe' ? 'a recipe triggers nothing by itself' : route.reason,
  };
}

function readRequest(info: ObjectInfo, options: PairOptions): Promise<ParsedRequest<ValidationError>> {
  return readRequestObject(options.store, info, options.maxRequestBytes);
}

async function pairSidecar(sidecar: ObjectInfo, options: PairOptions): Promise<Pairing> {
  const parsed = await readRequest(sidecar, options);
  const folder = folderOf(sidecar.name);
  let candidates: ObjectInfo[];
  const field = parsed.kind === 'request' ? parsed.request.image : undefined;
  if (field) {
    let named: string;
    try {
      named = resolveImageField(folder, field);
    } catch (err) {
      if (err instanceof ValidationError) return { kind: 'invalid', request: sidecar, error: err };
      throw err;
    }
    const found = await options.store.stat({ bucket: sidecar.bucket, name: named });
    candidates = found ? [found] : [];
    if (!found) return { kind: 'wait', reason: `the image "${named}" named by the sidecar has not arrived` };
    const route = routeObject(found);
    if (route.kind !== 'input') {
      // Never a sidecar, a recipe, a hidden or library file, or an output of the pipeline.
      const what = route.kind === 'ignore' ? route.reason : `a ${route.kind}`;
      return {
        kind: 'invalid',
        request: sidecar,
        error: new ValidationError('REFERENCE_INVALID', [`image: "${field}" is ${what}, not an input image`]),
      };
    }
  } else {
    candidates = await sameStemInputs(sidecar, options.store);
  }
  if (candidates.length === 0) {
    if (parsed.kind === 'invalid') return { kind: 'invalid', request: sidecar, error: parsed.error };
    return { kind: 'wait', reason: `no image named "${baseName(stemOf(sidecar.name))}.*" has arrived` };
  }
  if (candidates.length > 1) return ambiguous(sidecar, candidates);
  const image = candidates[0] as ObjectInfo;
  return { kind: 'job', image, request: sidecar, requestKind: 'sidecar', parsed };
}

/** Inputs other than the sidecar that share its stem (`photo.jpg`, `photo.png` for `photo.json`). */
async function sameStemInputs(sidecar: ObjectInfo, store: ObjectStore): Promise<ObjectInfo[]> {
  const stem = stemOf(sidecar.name);
  const siblings = await store.list(sidecar.bucket, `${stem}.`);
  return siblings.filter(
    (s) => stemOf(s.name) === stem && s.name !== sidecar.name && routeObject(s).kind === 'input',
  );
}

/**
 * Several images match a sidecar that names none. The failure belongs to the sidecar
 * alone (no image in the job id), so every arrival of the group ends in the same job.
 */
function ambiguous(sidecar: ObjectInfo, candidates: ObjectInfo[]): Pairing {
  const names = candidates.map((c) => `"${baseName(c.name)}"`).join(', ');
  return {
    kind: 'invalid',
    request: sidecar,
    error: new ValidationError('REFERENCE_INVALID', [
      `image: several files match the sidecar (${names}); name one with "image"`,
    ]),
  };
}

async function pairInput(image: ObjectInfo, options: PairOptions): Promise<Pairing> {
  const stem = stemOf(image.name);
  const sidecar = await options.store.stat({ bucket: image.bucket, name: `${stem}.json` });
  if (sidecar) {
    const parsed = await readRequest(sidecar, options);
    const field = parsed.kind === 'request' ? parsed.request.image : undefined;
    if (parsed.kind === 'request' && !field) {
      const matching = await sameStemInputs(sidecar, options.store);
      if (matching.length > 1) return ambiguous(sidecar, matching);
    }
    // A same-stem sidecar that names another image is not this image's sidecar.
    if (!field || _names(folderOf(sidecar.name), field, image.name)) {
      return { kind: 'job', image, request: sidecar, requestKind: 'sidecar', parsed };
    }
  }
  const naming = await findNamingSidecar(image, options);
  if (naming) return naming;
  if (!hasImageExtension(image.name)) {
    return { kind: 'wait', reason: 'not an image extension, and no sidecar names it', unrelated: true };
  }
  const recipe = await findRecipe(image, options.store);
  if (recipe) {
    return {
      kind: 'job',
      image,
      request: recipe,
      requestKind: 'recipe',
      parsed: await readRequest(recipe, options),
    };
  }
  return { kind: 'wait', reason: 'no sidecar or recipe yet' };
}

/**
 * A sidecar in the image's folder whose `image` field names it. The listing asks for the
 * folder's own `.json` files only, so a folder of N images costs no N-object listing (nor, in
 * the folder store, N stats) per arrival.
 */
async function findNamingSidecar(image: ObjectInfo, options: PairOptions): Promise<Pairing | undefined> {
  const folder = folderOf(image.name);
  const siblings = await options.store.list(image.bucket, folder, {
    matchGlob: `${escapeGlob(folder)}${SIDECAR_GLOB}`,
  });
  const sidecars = siblings
    .filter((s) => folderOf(s.name) === folder && routeObject(s).kind === 'sidecar')
    .filter((s) => s.name !== `${stemOf(image.name)}.json`)
    .slice(0, options.maxSidecarScan ?? 50);
  for (const sidecar of sidecars) {
    const parsed = await readRequest(sidecar, options);
    const field = parsed.kind === 'request' ? parsed.request.image : undefined;
    if (field && _names(folder, field, image.name)) {
      return { kind: 'job', image, request: sidecar, requestKind: 'sidecar', parsed };
    }
  }
  return undefined;
}

/** The nearest `_recipe.json` in the image's folder or an ancestor. */
export async function findRecipe(image: ObjectInfo, store: ObjectStore): Promise<ObjectInfo | undefined> {
  let folder = folderOf(image.name);
  for (;;) {
    const recipe = await store.stat({ bucket: image.bucket, name: `${folder}${RECIPE_FILE}` });
    if (recipe) return recipe;
    if (folder === '') return undefined;
    folder = folderOf(folder.slice(0, -1));
  }
}

/**
 * Resolves a sidecar's `image` field: a file in the sidecar's own folder. Pairing finds a
 * sidecar from its image only in the image's folder, so an image elsewhere would pair in one
 * arrival order and never in the other; it is refused in both.
 * @returns the object name
 * @throws ValidationError REFERENCE_INVALID saying why the name is refused
 */
export function resolveImageField(folder: string, image: string): string {
  const named = resolveSibling(folder, image);
  if (!image.includes('/')) return named;
  throw new ValidationError('REFERENCE_INVALID', [
    `image: "${image}" is in another folder; a sidecar names an image in its own folder (move the sidecar beside the image)`,
  ]);
}

/**
 * Resolves a name relative to a folder, refusing anything that could escape it.
 * @returns the object name
 * @throws ValidationError REFERENCE_INVALID saying why the name is refused
 */
export function resolveSibling(folder: string, relative: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative) || relative.startsWith('/') || relative.includes('\\')) {
    throw new ValidationError('REFERENCE_INVALID', [
      `"${relative}" must be a name relative to the sidecar's folder`,
    ]);
  }
  const segments = relative.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) {
    throw new ValidationError('REFERENCE_INVALID', [
      `"${relative}" must not contain "..", "." or empty segments`,
    ]);
  }
  return `${folder}${relative}`;
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

/** Whether a sidecar's `image` field names `name`; a refused field names nothing. */
function _names(folder: string, field: string, name: string): boolean {
  try {
    return resolveImageField(folder, field) === name;
  } catch (err) {
    if (err instanceof ValidationError) return false;
    throw err;
  }
}
