import type { Outcome } from '../pipeline/index.js';

/** What the platform is told: acknowledge (HTTP 204) or redeliver later (HTTP 500). */
export type PlatformResult = 'acknowledge' | 'redeliver';

/**
 * Maps a pipeline outcome to the platform's answer. Only a transient failure (`retry`) and a job
 * running elsewhere under a live lease (`busy`) ask for redelivery: redelivering any other
 * outcome could never change it.
 * @param outcome what `handleObject` returned
 * @returns `acknowledge` or `redeliver`
 */
export function platformResultFor(outcome: Outcome): PlatformResult {
  switch (outcome.kind) {
    case 'busy':
    case 'retry':
      return 'redeliver';
    case 'succeeded':
    case 'failed':
    case 'ignored':
    case 'waiting':
    case 'duplicate':
    case 'dispatched':
    case 'waiting-batch':
      return 'acknowledge';
  }
}

/**
 * Thrown by the entry point so that the functions framework answers 500 and Eventarc redelivers
 * the event (with backoff, for up to 24 hours when retries are on).
 */
export class RedeliveryError extends Error {
  /** The outcome that asked for redelivery. */
  readonly outcome: Extract<Outcome, { kind: 'busy' | 'retry' }>;

  constructor(outcome: Extract<Outcome, { kind: 'busy' | 'retry' }>) {
    super(
      outcome.kind === 'retry'
        ? `job ${outcome.jobId} failed transiently (${outcome.error.code}: ${outcome.error.message}); redeliver to resume it`
        : `job ${outcome.jobId} is running elsewhere under a live lease; redeliver to check on it later`,
      outcome.kind === 'retry' ? { cause: outcome.error } : undefined,
    );
    this.name = 'RedeliveryError';
    this.outcome = outcome;
  }
}

/**
 * @param outcome what the pipeline returned
 * @throws RedeliveryError when the outcome asks for redelivery
 */
export function throwIfRedelivery(outcome: Outcome): void {
  if (outcome.kind === 'busy' || outcome.kind === 'retry') throw new RedeliveryError(outcome);
}
