import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { CompletionEvent } from './completion-event.js';
import type { CompletionPublisher } from './publisher.js';

export const PUBSUB_PUBLISHER_KIND = 'pubsub';

/**
 * Total time the client may spend retrying one publish. Its default for Publish is 600 s
 * (publisher_client_config.json), longer than the function's 540 s timeout; a call-level
 * `timeout` replaces the total (google-gax CallSettings.merge). Past it the event is redelivered.
 */
export const PUBLISH_TIMEOUT_MS = 60_000;

/** Options of {@link createPubSubPublisher}. */
export interface PubSubPublisherOptions {
  pubsub: PubSub;
  /** Topic id (`darkroom-completions`) or full name (`projects/p/topics/darkroom-completions`). */
  topic: string;
}

/**
 * Publishes completion events to a Pub/Sub topic with message ordering on, so the outcomes
 * of one source image reach an ordered subscription in publish order. The client honours
 * `PUBSUB_EMULATOR_HOST`.
 * @example createPubSubPublisher({ pubsub: new PubSub(), topic: 'darkroom-completions' })
 */
export function createPubSubPublisher(options: PubSubPublisherOptions): CompletionPublisher {
  const topic: Topic = options.pubsub.topic(options.topic, {
    messageOrdering: true,
    // One message per job outcome: send it now rather than waiting to fill a batch.
    batching: { maxMessages: 1 },
    gaxOpts: { timeout: PUBLISH_TIMEOUT_MS },
  });
  return {
    target: topic.name,
    async publish(event: CompletionEvent) {
      try {
        return await topic.publishMessage({
          data: Buffer.from(JSON.stringify(event.summary)),
          attributes: event.attributes,
          orderingKey: event.orderingKey,
        });
      } catch (err) {
        // A failed publish pauses its ordering key; the redelivery that retries it needs it open.
        topic.resumePublishing(event.orderingKey);
        throw err;
      }
    },
  };
}
