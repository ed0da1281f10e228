/**
 * A Darkroom completion-event subscriber: reads the job outcome from the message attributes
 * (no read of manifest.json needed for the id, status, SKU labels or report URI) and handles
 * each job once. Delivery is at-least-once, so it dedupes on `ce-id` (the job id).
 *
 *   GOOGLE_CLOUD_PROJECT=my-project npx tsx examples/integrations/completion-subscriber.ts darkroom-completions-example
 */
import { type Message, PubSub } from '@google-cloud/pubsub';
import { pathToFileURL } from 'node:url';

/** What a consumer gets from one completion message. */
export interface Completion {
  jobId: string;
  type: string;
  status: string;
  code?: string | undefined;
  reportUri: string;
  labels: Record<string, string>;
  data: Record<string, unknown>;
}

/** Reads a completion message. */
export function parseCompletion(message: Pick<Message, 'attributes' | 'data'>): Completion {
  const a = message.attributes;
  const labels = Object.fromEntries(
    Object.entries(a)
      .filter(([k]) => k.startsWith('label.'))
      .map(([k, v]) => [k.slice('label.'.length), v]),
  );
  return {
    jobId: a['ce-id'] ?? '',
    type: a['ce-type'] ?? '',
    status: a.status ?? '',
    code: a.code,
    reportUri: a.manifestUri ?? a.errorUri ?? '',
    labels,
    data: JSON.parse(message.data.toString('utf8')),
  };
}

/**
 * Subscribes and calls `onCompletion` once per job.
 * @returns a function that stops the subscriber
 */
export function subscribe(
  pubsub: PubSub,
  subscription: string,
  onCompletion: (completion: Completion) => Promise<void> | void,
): () => Promise<void> {
  // Use a durable store in production (e.g. Firestore create() of processed/{jobId}).
  const seen = new Set<string>();
  const sub = pubsub.subscription(subscription);
  sub.on('message', async (message: Message) => {
    const completion = parseCompletion(message);
    // Messages arrive concurrently: claim the id before handling, so a duplicate in flight is skipped.
    if (seen.has(completion.jobId)) {
      message.ack();
      return;
    }
    seen.add(completion.jobId);
    try {
      await onCompletion(completion);
      message.ack();
    } catch {
      // Not handled: forget the claim and let Pub/Sub redeliver (dead-lettered after max_delivery_attempts).
      seen.delete(completion.jobId);
      message.nack();
    }
  });
  sub.on('error', (err) => console.error('subscriber error:', err.message));
  return () => sub.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const name = process.argv[2] ?? 'darkroom-completions-example';
  subscribe(new PubSub(), name, (c) => {
    console.log(`${c.status} job ${c.jobId}${c.code ? ` (${c.code})` : ''} → ${c.reportUri}`, c.labels);
  });
  console.log(`listening on ${name} (Ctrl-C to stop)`);
}
