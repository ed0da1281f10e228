import type { CompletionEvent } from './completion-event.js';

/** The CompletionPublisher port: where job outcomes are announced (Pub/Sub in the cloud). */
export interface CompletionPublisher {
  /** What the publisher publishes to, recorded on the job (e.g. the topic's full name). */
  readonly target: string;
  /**
   * Publishes one outcome.
   * @returns the message id the service assigned
   * @throws when the service did not accept the message (the caller retries through redelivery)
   */
  publish(event: CompletionEvent): Promise<string>;
}
