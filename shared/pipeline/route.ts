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
 * with a sidecar), a sidecar, a recipe, or something to ignore.
 */
export function routeObject(object: RoutedObject, context: RouteContext): Route {
  const { name } = object;
  const marker = object.metadata?.[OUTPUT_MARKER];
  if (marker === true || marker === 'true') return { kind: 'ignore', reason: 'an output of the pipeline' };
  if (
    context.results.bucket === object.bucket &&
    context.results.prefix &&
    name.startsWith(context.results.prefix)
  ) {
    return { kind: 'ignore', reason: 'inside the results prefix' };
  }
  if (name.endsWith('/')) return { kind: 'ignore', reason: 'a folder placeholder' };
  if (isHiddenPath(name)) {
    return { kind: 'ignore', reason: 'a hidden file' };
  }
  const base = baseName(name);
  if (base === RECIPE_FILE) return { kind: 'recipe' };
  if (isLibraryPath(name)) return { kind: 'ignore', reason: LIBRARY_REASON };
  if (base.toLowerCase().endsWith('.json')) return { kind: 'sidecar' };
  return { kind: 'input' };
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
