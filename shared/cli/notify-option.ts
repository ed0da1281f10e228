import { ConfigError } from '../config.js';
import type { LineageStore } from '../lineage/lineage-store.js';
import type { Logger } from '../log.js';
import type { NotifyDeps } from '../notify/notify-completion.js';
import { loadNotifyConfig } from '../notify/notify-config.js';
import { createWebhookNotifier } from '../notify/webhook-notifier.js';

/** Options of {@link cliNotifier}. */
export interface CliNotifierOptions {
  env: NodeJS.ProcessEnv;
  /** `--notify-url`: replaces `WEBHOOK_URL` for this run. */
  notifyUrl?: string | undefined;
  lineage: LineageStore;
  log: Logger;
}

/**
 * The webhooks of a local run: `--notify-url` (or `WEBHOOK_URL`) for every job, and a
 * request's `notify.url` when its host is in `WEBHOOK_HOSTS`, signed with `WEBHOOK_SECRET`.
 * The same rules as the function: private and loopback addresses need
 * `WEBHOOK_ALLOW_PRIVATE=true`.
 * @returns the notify deps, or undefined when no webhook is configured
 * @throws ConfigError when the URL is not http(s) or WEBHOOK_SECRET is missing
 */
export function cliNotifier(options: CliNotifierOptions): NotifyDeps | undefined {
  const { notifyUrl } = options;
  if (notifyUrl !== undefined && !/^https?:\/\/[^/]/.test(notifyUrl)) {
    throw new ConfigError([`--notify-url must be an http(s) URL (got "${notifyUrl}")`]);
  }
  if (notifyUrl && !options.env.WEBHOOK_SECRET) {
    throw new ConfigError([
      '--notify-url needs WEBHOOK_SECRET (whsec_ followed by base64): every delivery is signed',
    ]);
  }
  const config = loadNotifyConfig(options.env);
  const url = notifyUrl ?? config.webhook.url;
  const { secret } = config.webhook;
  if (!secret || (!url && config.webhook.hosts.length === 0)) return undefined;
  return {
    lineage: options.lineage,
    log: options.log,
    webhooks: createWebhookNotifier({
      secret,
      url,
      perRequest: config.webhook.hosts.length > 0,
      allowPrivate: config.webhook.allowPrivate,
      maxAttempts: config.webhook.maxAttempts,
      log: options.log,
    }),
  };
}
