import { access } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SNAPSHOT_FILE } from '../runner/local-env.js';

/**
 * Finds the results folder a file belongs to by walking up from the file to the first folder
 * that holds the lineage snapshot (`.darkroom/lineage.json`), so that `darkroom lineage` on a file
 * under any results folder looks in that folder, whatever `--out` says.
 * @param file a path to a file
 * @returns the results folder (absolute), or undefined when no folder above holds a snapshot
 */
export async function findResultsDir(file: string): Promise<string | undefined> {
  let dir = dirname(resolve(file));
  for (;;) {
    if (await _exists(join(dir, SNAPSHOT_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Whether the results folder has a lineage snapshot to read. */
export function hasSnapshot(resultsDir: string): Promise<boolean> {
  return _exists(join(resolve(resultsDir), SNAPSHOT_FILE));
}

/** What a file under a job's folder is, from its place: the pipeline's own files that are not assets. */
export interface JobFile {
  jobId: string;
  /** `compare sheet`, `manifest`, `error report`, `stage output`, … */
  role: string;
}

/**
 * Reads a job's files from their path: `<stem>/<jobId>/compare.jpg`, `manifest.json`,
 * `error.json`, `stages/NN-name.ext`, `final.ext` and sizes.
 * @param resultsDir the results folder
 * @param file a path inside it
 * @returns the job and role, or undefined when the path is not under a job's folder
 */
export function jobFileOf(resultsDir: string, file: string): JobFile | undefined {
  const rel = relative(resolve(resultsDir), resolve(file));
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  const at = parts.findIndex((p) => /^[0-9a-f]{24}$/.test(p));
  if (at < 1) return undefined;
  const jobId = parts[at] as string;
  const rest = parts.slice(at + 1).join('/');
  const role =
    rest === 'compare.jpg'
      ? 'compare sheet'
      : rest === 'manifest.json'
        ? 'manifest'
        : rest === 'error.json'
          ? 'error report'
          : rest.startsWith('stages/')
            ? 'stage output'
            : 'output';
  return { jobId, role };
}

async function _exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
