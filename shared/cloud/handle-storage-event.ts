import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { createLogger, type Logger, traceFields } from '../log.js';
import { type ObjectEvent, type Outcome, outsideInput } from '../pipeline/index.js';
import { parseStorageEvent } from './envelope.js';
import { platformResultFor, throwIfRedelivery } from './outcome.js';

/** The function's world, built once per instance (see `createCloudRuntime`). */
export interface CloudRuntime {
  config: Config;
  /** The base JSON logger; each event gets a child with its id and trace. */
  log: Logger;
  /** Runs the pipeline for one object, logging through `log`. */
  handle(event: ObjectEvent, log: Logger): Promise<Outcome>;
  /** Releases the clients (tests; a function instance just ends). */
  close(): Promise<void>;
}

/** Options of {@link handleStorageEvent}. */
export interface HandleStorageEventOptions {
  /** The runtime, built lazily and memoized by the caller. */
  runtime: () => Promise<CloudRuntime>;
  /** Where a start-up failure is logged (default: a JSON logger on stderr). */
  bootstrapLog?: Logger | undefined;
}

/**
 * Handles one CloudEvent: parse the envelope, keep to the input bucket and prefix, run the
 * pipeline, and turn its outcome into the platform's answer.
 * @param event the CloudEvent as the functions framework hands it over
 * @param options how to get the runtime
 * @returns the outcome, when the platform should acknowledge the event
 * @throws ConfigError (logged) when the configuration is invalid; RedeliveryError for `busy` and
 *   `retry`; whatever the pipeline threw for an infrastructure failure (logged). Each means HTTP 500,
 *   so the platform redelivers.
 */
export async function handleStorageEvent(
  event: unknown,
  options: HandleStorageEventOptions,
): Promise<Outcome> {
  let runtime: CloudRuntime;
  try {
    runtime = await options.runtime();
  } catch (err) {
    const log = options.bootstrapLog ?? createLogger({ format: 'json' });
    log.error(
      err instanceof ConfigError
        ? 'invalid configuration: the function cannot process events until it is fixed'
        : 'the function failed to start',
      { error: err, ...(err instanceof ConfigError ? { problems: err.problems } : {}) },
    );
    throw err;
  }
  const parsed = parseStorageEvent(event);
  if (parsed.kind === 'invalid') {
    // Redelivering a malformed envelope cannot fix it: acknowledge, but loudly.
    runtime.log.error('unusable CloudEvent acknowledged', { eventId: parsed.id, reason: parsed.reason });
    return { kind: 'ignored', reason: parsed.reason };
  }
  if (parsed.kind === 'ignore') {
    runtime.log.info('ignored', { eventId: parsed.id, type: parsed.type, reason: parsed.reason });
    return { kind: 'ignored', reason: parsed.reason };
  }
  const log = runtime.log.child({
    eventId: parsed.id,
    ...traceFields({ traceparent: parsed.traceparent, projectId: runtime.config.projectId }),
  });
  for (const note of parsed.notes)
    log.warn(note, { object: `${parsed.object.bucket}/${parsed.object.name}` });
  const outside = outsideInput(parsed.object, runtime.config.input);
  if (outside) {
    log.info('ignored', { object: `${parsed.object.bucket}/${parsed.object.name}`, reason: outside });
    return { kind: 'ignored', reason: outside };
  }
  let outcome: Outcome;
  try {
    outcome = await runtime.handle(parsed.object, log);
  } catch (err) {
    log.error('the pipeline failed; the platform will redeliver the event', { error: err });
    throw err;
  }
  log.info('event handled', {
    outcome: outcome.kind,
    platform: platformResultFor(outcome),
    ...('jobId' in outcome ? { jobId: outcome.jobId } : {}),
  });
  throwIfRedelivery(outcome);
  return outcome;
}
