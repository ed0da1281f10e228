import { PermanentError, type TransientError } from '../errors.js';
import type { JobError, JobRecord, OutputRecord } from '../lineage/records.js';
import { callCutoff, withCallDeadline } from './call-deadline.js';
import { nowOf, type PipelineDeps } from './deps.js';
import type { DispatchRole } from './handoff.js';
import { pairObject } from './pair.js';
import { routeObject } from './route.js';
import { startJob } from './start-job.js';

/** An object arrival, from a CloudEvent or a folder scan. */
export interface ObjectEvent {
  bucket: string;
  name: string;
  /** The generation the event names; the pipeline reads exactly that one. */
  generation?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** When the event happened (ISO), for the stale-event cutoff. */
  time?: string | undefined;
}

/** What handling an arrival came to. */
export type Outcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'waiting'; reason: string }
  | { kind: 'succeeded'; jobId: string; prefix: string; outputs: OutputRecord[] }
  | { kind: 'failed'; jobId: string; prefix: string; error: JobError }
  | { kind: 'duplicate'; jobId: string; status: JobRecord['status'] }
  | { kind: 'busy'; jobId: string }
  | { kind: 'retry'; jobId: string; error: TransientError }
  /** Batch lane: the job's stage waits for a Gemini batch job (shared/batch). */
  | { kind: 'waiting-batch'; jobId: string; keys: string[] }
  /** Tasks mode: the job's next stage waits in a queue. */
  | { kind: 'dispatched'; jobId: string; stage: number; queue: string };

/** Options of {@link handleObject}. */
export interface HandleOptions {
  /** Epoch ms by which this invocation must be done (default: now + timeout − margin). */
  deadline?: number;
  /** Treat a sidecar whose image has not arrived as failed instead of waiting (folder scans). */
  failOnMissingImage?: boolean;
  /** Tasks mode: `worker` for a `runStage` task (default `event`). */
  role?: DispatchRole | undefined;
}

/**
 * Handles one arrival end to end: route → pair → claim → load → stages → finalize.
 * Never throws for a problem with the input: permanent problems end the job as failed
 * with an `error.json`; transient ones come back as `retry` (the caller rethrows so the
 * platform redelivers).
 */
export async function handleObject(
  unbounded: PipelineDeps,
  event: ObjectEvent,
  given: HandleOptions = {},
): Promise<Outcome> {
  const { timing } = unbounded.config;
  const deadline = given.deadline ?? nowOf(unbounded) + timing.functionTimeoutMs - timing.deadlineMarginMs;
  const options = { ...given, deadline };
  // Every Storage and Firestore call of this invocation answers by the cutoff, or fails transiently.
  const deps = withCallDeadline(unbounded, callCutoff(unbounded, deadline));
  const log = deps.log.child({ object: `${event.bucket}/${event.name}`, generation: event.generation });
  const route = routeObject(event, { results: deps.results });
  if (route.kind === 'ignore') return ignored(log, route.reason);
  if (route.kind === 'recipe') return ignored(log, 'a recipe triggers nothing by itself');
  if (event.time && nowOf(deps) - Date.parse(event.time) > deps.config.timing.maxEventAgeMs) {
    return ignored(
      log,
      `the event is older than ${deps.config.timing.maxEventAgeMs / 1000}s (MAX_EVENT_AGE_SECONDS)`,
    );
  }
  // The live object, not the event's generation: with object versioning an overwritten generation
  // stays readable, and only the upload that is still live is acted on.
  const arrival = await deps.store.stat({ bucket: event.bucket, name: event.name });
  if (!arrival || (event.generation !== undefined && arrival.generation !== event.generation)) {
    return ignored(log, 'the object was overwritten or deleted since the event');
  }
  // The event may carry no metadata; the stored object says whether the pipeline wrote it.
  const stored = routeObject(arrival, { results: deps.results });
  if (stored.kind === 'ignore') return ignored(log, stored.reason);
  const pairing = await pairObject(arrival, {
    store: deps.store,
    maxRequestBytes: deps.config.limits.maxRequestBytes,
  });
  if (pairing.kind === 'wait') {
    // A non-image file without a sidecar (a README, notes): a sidecar arriving later pairs it.
    if (pairing.unrelated) return ignored(log, pairing.reason);
    if (options.failOnMissingImage && stored.kind === 'sidecar') {
      const error = new PermanentError('SIDECAR_IMAGE_MISSING', `${arrival.name}: ${pairing.reason}`);
      return startJob(deps, log, { request: arrival, parsed: { kind: 'invalid', error } }, options);
    }
    log.info('waiting', { reason: pairing.reason });
    return { kind: 'waiting', reason: pairing.reason };
  }
  if (pairing.kind === 'invalid') {
    return startJob(
      deps,
      log,
      { request: pairing.request, image: pairing.image, parsed: { kind: 'invalid', error: pairing.error } },
      options,
    );
  }
  return startJob(
    deps,
    log,
    {
      request: pairing.request,
      image: pairing.image,
      requestKind: pairing.requestKind,
      parsed: pairing.parsed,
    },
    options,
  );
}

function ignored(log: PipelineDeps['log'], reason: string): Outcome {
  log.info('ignored', { reason });
  return { kind: 'ignored', reason };
}
