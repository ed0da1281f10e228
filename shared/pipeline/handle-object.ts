import { PermanentError } from '../errors.js';
import { callCutoff, withCallDeadline } from './call-deadline.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { pairObject } from './pair.js';
import { arrivalIgnoreReason, routeObject } from './route.js';
import { runAttempt } from './run-attempt.js';
import type { HandleOptions, ObjectEvent, Outcome } from './types.js';

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
  const skip = arrivalIgnoreReason(event, {
    results: deps.results,
    now: nowOf(deps),
    maxEventAgeMs: deps.config.timing.maxEventAgeMs,
  });
  if (skip) return ignored(log, skip);
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
      return runAttempt(deps, log, { request: arrival, parsed: { kind: 'invalid', error } }, options);
    }
    log.info('waiting', { reason: pairing.reason });
    return { kind: 'waiting', reason: pairing.reason };
  }
  if (pairing.kind === 'invalid') {
    return runAttempt(
      deps,
      log,
      { request: pairing.request, image: pairing.image, parsed: { kind: 'invalid', error: pairing.error } },
      options,
    );
  }
  return runAttempt(
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
