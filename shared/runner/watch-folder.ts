import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineDeps } from '../pipeline/index.js';
import { handleObject, routeObject } from '../pipeline/index.js';
import type { RunEntry } from './run-folder.js';

/** Options of {@link watchFolder}. */
export interface WatchFolderOptions {
  bucket: string;
  /** How often to look for arrivals (default 1000 ms). */
  intervalMs?: number;
  signal: AbortSignal;
  onEntry?: (entry: RunEntry) => void | Promise<void>;
}

/**
 * Keeps processing new arrivals until `signal` aborts. Polls the folder and handles an
 * object once it has been seen unchanged (same generation and size) on two consecutive
 * polls, so that a file still being copied is not read half-written. Objects present at
 * the start are taken as already handled (run the folder first).
 */
export async function watchFolder(deps: PipelineDeps, options: WatchFolderOptions): Promise<void> {
  const interval = options.intervalMs ?? 1000;
  const handled = new Map<string, string>();
  const pending = new Map<string, string>();
  for (const o of await deps.store.list(options.bucket, '')) handled.set(o.name, `${o.generation}:${o.size}`);
  while (!options.signal.aborted) {
    await sleep(interval, undefined, { signal: options.signal }).catch(() => {});
    if (options.signal.aborted) break;
    const objects = await deps.store.list(options.bucket, '');
    for (const object of objects) {
      const version = `${object.generation}:${object.size}`;
      if (handled.get(object.name) === version) continue;
      if (pending.get(object.name) !== version) {
        pending.set(object.name, version);
        continue;
      }
      pending.delete(object.name);
      handled.set(object.name, version);
      const kind = routeObject(object, { results: deps.results }).kind;
      if (kind !== 'input' && kind !== 'sidecar') continue;
      const outcome = await handleObject(deps, {
        bucket: object.bucket,
        name: object.name,
        generation: object.generation,
        metadata: object.metadata,
      });
      await options.onEntry?.({ object: object.name, outcome });
    }
  }
}
