import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../errors.js';
import type { Outcome, PipelineDeps } from '../pipeline/index.js';
import { handleObject, routeObject } from '../pipeline/index.js';
import { looksComplete } from './arrival-complete.js';
import type { RunEntry } from './run-folder.js';

/** Options of {@link watchFolder}. */
export interface WatchFolderOptions {
  bucket: string;
  /** How often to look for arrivals (default 1000 ms). */
  intervalMs?: number;
  /**
   * Polls a file may stay unchanged while it still looks cut short (see {@link looksComplete})
   * before it is handled anyway, so that a truly broken file still gets its failure (default 10).
   */
  settlePolls?: number;
  /** Waits between polls (default: a timer); tests pass one they drive poll by poll. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  onEntry?: (entry: RunEntry) => void | Promise<void>;
}

/**
 * Keeps processing new arrivals until `signal` aborts. Polls the folder and handles an
 * object once it has been seen unchanged (same generation, i.e. modification time, and size) on
 * two consecutive polls and its bytes look complete (an empty file or a JPEG without its end
 * marker is a copy still under way), so that a file still being copied is not read half-written
 * and a normal copy ends as one succeeded job. A file that stays unchanged but cut short for
 * `settlePolls` polls is handled anyway. Objects present at the start are taken as already
 * handled (run the folder first). An arrival that comes back `retry` or `busy`, or whose handling
 * throws, is handled again at a later poll (the job's attempt limit still ends a job that keeps
 * failing).
 */
export async function watchFolder(deps: PipelineDeps, options: WatchFolderOptions): Promise<void> {
  const interval = options.intervalMs ?? 1000;
  const settlePolls = options.settlePolls ?? 10;
  const wait =
    options.wait ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => {}));
  const handled = new Map<string, string>();
  const pending = new Map<string, { version: string; polls: number }>();
  for (const o of await deps.store.list(options.bucket, '')) handled.set(o.name, `${o.generation}:${o.size}`);
  while (!options.signal.aborted) {
    await wait(interval, options.signal);
    if (options.signal.aborted) break;
    const objects = await deps.store.list(options.bucket, '');
    const present = new Set(objects.map((o) => o.name));
    for (const name of pending.keys()) if (!present.has(name)) pending.delete(name);
    const ready: typeof objects = [];
    for (const object of objects) {
      const version = `${object.generation}:${object.size}`;
      if (handled.get(object.name) === version) continue;
      const seen = pending.get(object.name);
      if (seen?.version !== version) {
        pending.set(object.name, { version, polls: 0 });
        continue;
      }
      seen.polls += 1;
      const kind = routeObject(object, { results: deps.results }).kind;
      if (kind !== 'input' && kind !== 'sidecar') {
        pending.delete(object.name);
        handled.set(object.name, version);
        continue;
      }
      if (seen.polls >= settlePolls || (await _looksComplete(deps, object))) ready.push(object);
    }
    const readyNames = new Set(ready.map((o) => o.name));
    for (const object of ready) {
      // A sidecar pairs with its same-stem image (and the other way round): wait for both.
      if (_partnerUnsettled(object.name, pending, readyNames)) continue;
      const version = `${object.generation}:${object.size}`;
      pending.delete(object.name);
      handled.set(object.name, version);
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

// ---------------------------------------------------------------------------------------------
// Internal helpers

async function _looksComplete(
  deps: PipelineDeps,
  object: { bucket: string; name: string; generation: string },
): Promise<boolean> {
  try {
    return looksComplete(object.name, await deps.store.read(object));
  } catch {
    // Gone or changed since the listing: the next poll sees its new state.
    return false;
  }
}

function _stem(name: string): string {
  return name.replace(/\.[^./]*$/, '');
}

function _partnerUnsettled(
  name: string,
  pending: ReadonlyMap<string, unknown>,
  ready: ReadonlySet<string>,
): boolean {
  const stem = _stem(name);
  for (const other of pending.keys()) {
    if (other !== name && _stem(other) === stem && !ready.has(other)) return true;
  }
  return false;
}
