import { baseName } from './layout.js';

/** Custom metadata key that marks every object the pipeline writes. */
export const OUTPUT_MARKER = 'darkroom-output';

/** The file name of a hot-folder recipe. */
export const RECIPE_FILE = '_recipe.json';

/** Image file extensions that a recipe applies to. */
export const IMAGE_EXTENSIONS = [
  'jpg',
  'jpeg',
  'png',
  'webp',
  'gif',
  'tif',
  'tiff',
  'avif',
  'heic',
  'heif',
  'bmp',
];

export type Route =
  | { kind: 'input' }
  | { kind: 'sidecar' }
  | { kind: 'recipe' }
  | { kind: 'ignore'; reason: string };

/** What the router needs to know about an object. */
export interface RoutedObject {
  bucket: string;
  name: string;
  metadata?: Record<string, unknown> | undefined;
}

/** Where the pipeline writes, so that it never reads its own outputs. */
export interface RouteContext {
  results: { bucket?: string | undefined; prefix: string };
}

/**
 * Decides what an uploaded object is: an input (image or other file that may pair
 * with a sidecar), a sidecar, a recipe, or something to ignore — its own output first
 * ({@link isOwnOutput}), then by name ({@link kindOfName}).
 * @param context where the pipeline writes; omitted, only the output marker tells an output
 */
export function routeObject(object: RoutedObject, context?: RouteContext): Route {
  const own = _ownOutputReason(object, context?.results);
  return own ? { kind: 'ignore', reason: own } : kindOfName(object.name);
}

/**
 * What an object is by its name alone: a folder placeholder, a hidden or library file (ignored),
 * a recipe, a sidecar (`.json`) or an input.
 */
export function kindOfName(name: string): Route {
  if (name.endsWith('/')) return { kind: 'ignore', reason: 'a folder placeholder' };
  if (isHiddenPath(name)) return { kind: 'ignore', reason: 'a hidden file' };
  const base = baseName(name);
  if (base === RECIPE_FILE) return { kind: 'recipe' };
  if (isLibraryPath(name)) return { kind: 'ignore', reason: LIBRARY_REASON };
  if (base.toLowerCase().endsWith('.json')) return { kind: 'sidecar' };
  return { kind: 'input' };
}

/**
 * @param results where the pipeline writes; a non-empty prefix in that bucket holds only outputs
 * @returns true for an object the pipeline wrote: it carries the output marker, or lies inside
 *   the results prefix
 */
export function isOwnOutput(object: RoutedObject, results?: RouteContext['results']): boolean {
  return _ownOutputReason(object, results) !== undefined;
}

/**
 * Why an arrival starts nothing, by the rules that need no storage call: the pipeline's own
 * output, a name to ignore, a recipe (it applies to images; alone it triggers nothing), or an
 * event older than MAX_EVENT_AGE_SECONDS.
 * @returns the reason, or undefined when the arrival is to be handled
 */
export function arrivalIgnoreReason(
  event: RoutedObject & { time?: string | undefined },
  options: RouteContext & { now: number; maxEventAgeMs: number },
): string | undefined {
  const route = routeObject(event, options);
  if (route.kind === 'ignore') return route.reason;
  if (route.kind === 'recipe') return 'a recipe triggers nothing by itself';
  if (event.time && options.now - Date.parse(event.time) > options.maxEventAgeMs) {
    return `the event is older than ${options.maxEventAgeMs / 1000}s (MAX_EVENT_AGE_SECONDS)`;
  }
  return undefined;
}

/**
 * With `INPUT_BUCKET` set, events of other buckets are not the function's; with `INPUT_PREFIX`,
 * neither are names outside it.
 * @param input the configured input location (`Config['input']`)
 * @returns why the object is outside the input location, or undefined when inside
 */
export function outsideInput(
  object: RoutedObject,
  input: { bucket?: string | undefined; prefix?: string | undefined },
): string | undefined {
  if (input.bucket && object.bucket !== input.bucket) {
    return `bucket "${object.bucket}" is not the input bucket "${input.bucket}" (INPUT_BUCKET)`;
  }
  if (input.prefix && !object.name.startsWith(input.prefix)) {
    return `outside the input prefix "${input.prefix}" (INPUT_PREFIX)`;
  }
  return undefined;
}

const LIBRARY_REASON = 'a library file (a name or folder with a leading underscore)';

/** @returns true when a segment of the name starts with `.` (`.DS_Store`, `.git/config`). */
export function isHiddenPath(name: string): boolean {
  return name.split('/').some((segment) => segment.startsWith('.'));
}

/**
 * Names with a segment starting with `_` (e.g. `_scenes/kitchen.jpg`) are library files:
 * never processed as inputs, but usable as references.
 */
export function isLibraryPath(name: string): boolean {
  return name.split('/').some((segment) => segment.startsWith('_'));
}

/** @returns true when the name has an image extension (recipes apply only to those). */
export function hasImageExtension(name: string): boolean {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return IMAGE_EXTENSIONS.includes(ext);
}

// ─── internals ────────────────────────────────────────────────────────────────

function _ownOutputReason(
  object: RoutedObject,
  results: RouteContext['results'] | undefined,
): string | undefined {
  const marker = object.metadata?.[OUTPUT_MARKER];
  if (marker === true || marker === 'true') return 'an output of the pipeline';
  if (results?.prefix && results.bucket === object.bucket && object.name.startsWith(results.prefix)) {
    return 'inside the results prefix';
  }
  return undefined;
}
