import { createHash } from 'node:crypto';

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

/** Cloud Storage's limit on an object name, in bytes of UTF-8 (https://cloud.google.com/storage/docs/objects#naming). */
export const MAX_OBJECT_NAME_BYTES = 1024;

/**
 * Where a job's `error.json` goes: under the job prefix, or, when the input's name is so long
 * that `<prefix>error.json` would exceed {@link MAX_OBJECT_NAME_BYTES}, under a shortened prefix:
 * the stem cut to fit, `~` and the first 16 hex digits of the SHA-256 of the whole stem (so two
 * long names that share a beginning stay apart), then the job id, as usual.
 * @param prefix the job prefix (`<results prefix><stem>/<jobId>/`)
 * @example errorReportName('a/photo/J/') // 'a/photo/J/error.json'
 */
export function errorReportName(prefix: string): string {
  const name = `${prefix}${ERROR_FILE}`;
  if (Buffer.byteLength(name) <= MAX_OBJECT_NAME_BYTES) return name;
  const jobSlash = prefix.lastIndexOf('/', prefix.length - 2);
  const head = prefix.slice(0, jobSlash);
  const tail = prefix.slice(jobSlash);
  const hash = createHash('sha256').update(head).digest('hex').slice(0, 16);
  const room = MAX_OBJECT_NAME_BYTES - Buffer.byteLength(`~${hash}${tail}${ERROR_FILE}`);
  return `${_cutToBytes(head, room)}~${hash}${tail}${ERROR_FILE}`;
}

/** The longest start of `text` of at most `bytes` bytes of UTF-8, never splitting a character. */
function _cutToBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}
