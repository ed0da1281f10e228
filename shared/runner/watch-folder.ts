import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../errors.js';
import type { Outcome, PipelineDeps } from '../pipeline/index.js';
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
 * the start are taken as already handled (run the folder first). An arrival that comes back
 * `retry` or `busy`, or whose handling throws, is handled again at a later poll (the
 * job's attempt limit still ends a job that keeps failing).
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
      let outcome: Outcome;
      try {
        outcome = await handleObject(deps, {
          bucket: object.bucket,
          name: object.name,
          generation: object.generation,
          metadata: object.metadata,
        });
      } catch (err) {
        // An infrastructure failure (lineage or disk): keep watching and try the object again.
        deps.log.error('handling an arrival failed; retrying at a later poll', {
          object: object.name,
          error: describeError(err),
        });
        handled.delete(object.name);
        continue;
      }
      // Nothing redelivers here: a transient failure or a busy job is handled again later.
      if (outcome.kind === 'retry' || outcome.kind === 'busy') handled.delete(object.name);
      await options.onEntry?.({ object: object.name, outcome });
    }
  }
}
