import { describeError, TransientError } from '../errors.js';
import type { LineageStore } from '../lineage/lineage-store.js';
import type { JobNotifications, JobRecord } from '../lineage/records.js';
import type { Logger } from '../log.js';
import { completionEvent } from './completion-event.js';
import type { CompletionPublisher } from './publisher.js';

/** What announcing an outcome needs; built by the composition root. */
export interface NotifyDeps {
  lineage: LineageStore;
  log: Logger;
  /** Pub/Sub (`COMPLETION_TOPIC`); none: no messages. */
  publisher?: CompletionPublisher | undefined;
  /** Webhooks (`WEBHOOK_URL`, per-request `notify.url`); none: no webhooks. */
  webhooks?: WebhookNotifier | undefined;
  /** Milliseconds since the epoch (injectable for tests). */
  now?: (() => number) | undefined;
}

/** Delivers a job's outcome to its webhook targets and returns the records of the deliveries. */
export interface WebhookNotifier {
  deliver(job: JobRecord, done: JobNotifications['webhooks']): Promise<JobNotifications['webhooks']>;
}

/**
 * Announces the outcome of an ended job, once per channel: publishes the completion event
 * (when a publisher is configured and the job document records no publish yet), then
 * delivers webhooks, recording each in `jobs/{id}.notifications`. Called after the report
 * (`manifest.json` / `error.json`) and the job's final status are written, and again on a
 * redelivery of a finished job, so a crash between the report and the publish is made good.
 * A job that has not ended announces nothing.
 * @throws TransientError `NOTIFY_UNAVAILABLE` when Pub/Sub did not accept the message: the
 *   caller lets the platform redeliver the event, and the redelivery publishes
 */
export async function notifyCompletion(deps: NotifyDeps, jobId: string): Promise<void> {
  if (!deps.publisher && !deps.webhooks) return;
  const job = await deps.lineage.getJob(jobId);
  if (!job || (job.status !== 'succeeded' && job.status !== 'failed')) return;
  const now = () => new Date(deps.now ? deps.now() : Date.now());
  let notifications: JobNotifications = { ...(job.notifications ?? {}) };
  if (deps.publisher && !notifications.pubsub) {
    const { publisher } = deps;
    let messageId: string;
    try {
      messageId = await publisher.publish(completionEvent(job));
    } catch (err) {
      throw new TransientError(
        'NOTIFY_UNAVAILABLE',
        `could not publish the outcome of job ${jobId} to ${publisher.target}: ${describeError(err)}`,
        { cause: err },
      );
    }
    notifications = { ...notifications, pubsub: { topic: publisher.target, messageId, publishedAt: now() } };
    // A crash before this write means one more publish on redelivery: at-least-once, deduped on ce-id.
    await deps.lineage.updateJob(jobId, { notifications });
    deps.log.info('completion published', { jobId, topic: publisher.target, messageId });
  }
  if (deps.webhooks) {
    const webhooks = await deps.webhooks.deliver(job, notifications.webhooks);
    if (webhooks !== notifications.webhooks) {
      await deps.lineage.updateJob(jobId, { notifications: { ...notifications, webhooks } });
    }
  }
}
