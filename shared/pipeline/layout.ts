/**
 * Where a job's files go. For input `a/b/photo.jpg`, job `J` and results prefix `P`:
 * `P` + `a/b/photo/J/` holds `final.<ext>`, `<size>.<ext>`, `stages/NN-<name>.<ext>`,
 * `compare.jpg`, `manifest.json` (written last) or `error.json`.
 */

/** `a/b/photo.jpg` → `a/b/photo`; a name without extension stays as it is. */
export function stemOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return dot > slash + 1 ? name.slice(0, dot) : name;
}

/** The folder of an object name, with a trailing slash (`''` at the top). */
export function folderOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash === -1 ? '' : name.slice(0, slash + 1);
}

/** The last segment of an object name. */
export function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The prefix (ending in `/`) under which a job writes everything. */
export function jobPrefix(resultsPrefix: string, sourceName: string, jobId: string): string {
  return `${resultsPrefix}${stemOf(sourceName)}/${jobId}/`;
}

/** `stages/01-background.png` under the job prefix. */
export function stageOutputName(prefix: string, index: number, stageName: string, ext: string): string {
  return `${prefix}stages/${String(index).padStart(2, '0')}-${stageName}.${ext}`;
}

/** `final.webp`, or `<size>.webp` for a named size. */
export function outputName(prefix: string, role: string, ext: string): string {
  return `${prefix}${role}.${ext}`;
}

export const MANIFEST_FILE = 'manifest.json';
export const ERROR_FILE = 'error.json';
export const COMPARE_FILE = 'compare.jpg';
