import type { Outcome, PipelineDeps } from '../pipeline/index.js';
import { handleObject, routeObject, stemOf } from '../pipeline/index.js';
import type { ObjectInfo } from '../storage/object-store.js';

/** One handled arrival, for summaries and progress. */
export interface RunEntry {
  object: string;
  outcome: Outcome;
}

/** Options of {@link runFolder}. */
export interface RunFolderOptions {
  bucket: string;
  /** Only objects under this prefix. */
  prefix?: string;
  /** Called after each object (progress bars, persistence). */
  onEntry?: (entry: RunEntry, done: number, total: number) => void | Promise<void>;
  /** Objects handled at once (default 1). */
  concurrency?: number;
}

/**
 * Processes every pair already in a bucket: each input and sidecar is handled as if it
 * had just arrived. A job reached from both its image and its sidecar runs once (the
 * second arrival finds it finished). A sidecar whose image never arrived fails.
 * @returns one entry per object that was not ignored
 * @throws the first error handling an object threw, after the other workers' objects in flight are done
 */
export async function runFolder(deps: PipelineDeps, options: RunFolderOptions): Promise<RunEntry[]> {
  const objects = await deps.store.list(options.bucket, options.prefix ?? '');
  const candidates = objects.filter((o) => {
    const kind = routeObject(o, { results: deps.results }).kind;
    return kind === 'input' || kind === 'sidecar';
  });
  // An image and its sidecar lead to the same job: handling them in one worker, one after the
  // other, lets the second find the job finished instead of running into its live lease.
  const byStem = new Map<string, ObjectInfo[]>();
  for (const object of candidates)
    byStem.set(stemOf(object.name), [...(byStem.get(stemOf(object.name)) ?? []), object]);
  const groups = [...byStem.values()];
  const entries: RunEntry[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (;;) {
      if (failure) return;
      const group = groups[next++];
      if (!group) return;
      for (const object of group) {
        const outcome = await handleOne(deps, object);
        const entry = { object: object.name, outcome };
        entries.push(entry);
        await options.onEntry?.(entry, entries.length, candidates.length);
      }
    }
  };
  // A throw (an infrastructure failure) stops the run, but only once the jobs in flight in the
  // other workers are done: the caller closes the stores right after.
  await Promise.all(
    Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () =>
      worker().catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  if (failure) throw failure.error;
  return entries;
}

async function handleOne(deps: PipelineDeps, object: ObjectInfo): Promise<Outcome> {
  return handleObject(
    deps,
    { bucket: object.bucket, name: object.name, generation: object.generation, metadata: object.metadata },
    { failOnMissingImage: true },
  );
}

/** Counts of a run, by outcome, counting each job once. */
export function summarize(entries: RunEntry[]): Record<Outcome['kind'], number> & { jobs: number } {
  const counts = {
    ignored: 0,
    waiting: 0,
    succeeded: 0,
    failed: 0,
    duplicate: 0,
    busy: 0,
    retry: 0,
    dispatched: 0,
    'waiting-batch': 0,
    jobs: 0,
  };
  const seen = new Set<string>();
  for (const { outcome } of entries) {
    if ('jobId' in outcome) {
      if (outcome.kind === 'duplicate' && seen.has(outcome.jobId)) continue;
      seen.add(outcome.jobId);
    }
    counts[outcome.kind] += 1;
  }
  counts.jobs = seen.size;
  return counts;
}
