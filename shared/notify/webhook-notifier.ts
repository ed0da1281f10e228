import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { JobRecord, WebhookDeliveryRecord } from '../lineage/records.js';
import type { Logger } from '../log.js';
import { completionEvent } from './completion-event.js';
import type { WebhookNotifier } from './notify-completion.js';
import { signWebhook } from './webhook-signature.js';
import { guardedLookup, isPrivateAddress } from './webhook-target.js';

/**
 * Pause before retry n (1-based): 1 s, 2 s, 4 s, … capped at 30 s. Standard Webhooks leaves
 * the schedule to the sender; this one stays well inside one function invocation.
 */
export const WEBHOOK_BACKOFF_MS = (retry: number) => Math.min(30_000, 1000 * 2 ** (retry - 1));
/** Per-attempt time limit for a receiver to answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Options of {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  /** `whsec_…` (from Secret Manager in a deployment, `WEBHOOK_SECRET` locally). */
  secret: string;
  /** The deployment-wide target (`WEBHOOK_URL`, or `--notify-url` in the CLI). */
  url?: string | undefined;
  /** Whether the job's own `notify.url` is delivered to (validated against WEBHOOK_HOSTS before the job ran). */
  perRequest?: boolean | undefined;
  /** Allow loopback, link-local and private addresses (`WEBHOOK_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
  /** Attempts per target (`WEBHOOK_MAX_ATTEMPTS`). */
  maxAttempts: number;
  log: Logger;
  /** Waits between attempts (tests inject one that does not). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Delivers each ended job to its webhook targets, signed per Standard Webhooks, with
 * bounded retries: a 2xx delivers; 408, 429, 5xx and network errors are retried with
 * backoff; any other status stops. Every attempt is recorded; a target already delivered
 * (or given up on) is not tried again by a redelivery.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): WebhookNotifier {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  return {
    async deliver(job, done) {
      const requested = (job.request as { notify?: { url?: string } } | undefined)?.notify?.url;
      const targets = [...new Set([options.url, options.perRequest ? requested : undefined])].filter(
        (u): u is string => !!u,
      );
      const pending = targets.filter((url) => !done?.some((d) => d.url === url));
      if (pending.length === 0) return done;
      const records: WebhookDeliveryRecord[] = [...(done ?? [])];
      for (const url of pending) records.push(await deliverOne(job, url));
      return records;
    },
  };

  async function deliverOne(job: JobRecord, url: string): Promise<WebhookDeliveryRecord> {
    const summary = completionEvent(job).summary;
    const body = JSON.stringify({ type: summary.type, timestamp: summary.finishedAt, data: summary });
    const record: WebhookDeliveryRecord = { url, messageId: `msg_${job.id}`, status: 'failed', attempts: [] };
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(WEBHOOK_BACKOFF_MS(attempt - 1));
      const at = now();
      const headers = signWebhook({
        secret: options.secret,
        id: record.messageId,
        timestampSeconds: at / 1000,
        body,
      });
      const result = await post(url, body, { ...headers });
      record.attempts.push({ at: new Date(at), status: result.status, error: result.error });
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        record.status = 'delivered';
        options.log.info('webhook delivered', { jobId: job.id, url, attempt });
        return record;
      }
      if (!result.retry) break;
    }
    options.log.warn('webhook not delivered', { jobId: job.id, url, attempts: record.attempts.length });
    return record;
  }

  function post(
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status?: number; error?: string; retry: boolean }> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !options.allowPrivate && isPrivateAddress(host)) {
      const error = `${host} is a private, loopback or link-local address (WEBHOOK_ALLOW_PRIVATE=false)`;
      return Promise.resolve({ error, retry: false });
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'darkroom-webhooks/1' },
          lookup: guardedLookup(options.allowPrivate),
          timeout: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            resolve({ status, retry: status === 408 || status === 429 || status >= 500 });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${options.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms`)),
      );
      req.on('error', (err: Error & { code?: string }) =>
        resolve({ error: err.message, retry: err.code !== 'EWEBHOOKPRIVATE' }),
      );
      req.end(body);
    });
  }
}
