import { PubSub } from '@google-cloud/pubsub';
import type { LineageStore } from '../lineage/lineage-store.js';
import type { Logger } from '../log.js';
import type { NotifyDeps, WebhookNotifier } from './notify-completion.js';
import type { NotifyConfig } from './notify-config.js';
import { createPubSubPublisher } from './pubsub-publisher.js';
import { createWebhookNotifier } from './webhook-notifier.js';

/** Options of {@link createNotifier}. */
export interface CreateNotifierOptions {
  config: NotifyConfig;
  lineage: LineageStore;
  log: Logger;
  projectId?: string | undefined;
  /** Replaces the webhook notifier the configuration describes (tests, the CLI). */
  webhooks?: WebhookNotifier | undefined;
  now?: (() => number) | undefined;
}

/**
 * Builds the announcement channels the configuration asks for: a Pub/Sub publisher with
 * `COMPLETION_TOPIC` (the client honours `PUBSUB_EMULATOR_HOST`), signed webhooks with
 * `WEBHOOK_SECRET` and `WEBHOOK_URL` or `WEBHOOK_HOSTS`.
 * Nothing is contacted here.
 * @returns the deps of `notifyOutcome`, and a close function for the Pub/Sub client
 */
export function createNotifier(options: CreateNotifierOptions): { deps: NotifyDeps; close(): Promise<void> } {
  const pubsub = options.config.topic ? new PubSub({ projectId: options.projectId }) : undefined;
  const publisher =
    pubsub && options.config.topic
      ? createPubSubPublisher({ pubsub, topic: options.config.topic })
      : undefined;
  const { webhook } = options.config;
  const webhooks =
    options.webhooks ??
    (webhook.secret && (webhook.url || webhook.hosts.length > 0)
      ? createWebhookNotifier({
          secret: webhook.secret,
          url: webhook.url,
          perRequest: webhook.hosts.length > 0,
          allowPrivate: webhook.allowPrivate,
          maxAttempts: webhook.maxAttempts,
          log: options.log,
        })
      : undefined);
  return {
    deps: {
      lineage: options.lineage,
      log: options.log,
      publisher,
      webhooks,
      now: options.now,
    },
    close: async () => {
      await pubsub?.close();
    },
  };
}
