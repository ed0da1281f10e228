import { createHmac } from 'node:crypto';

/** The secret prefix of the Standard Webhooks specification: `whsec_` + base64 key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The three headers of a signed delivery (Standard Webhooks). */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a delivery per Standard Webhooks: HMAC-SHA256 over `{id}.{timestamp}.{body}` with the
 * base64-decoded secret, sent as `v1,<base64 signature>`.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @param options the `whsec_…` secret, the message id (the same on every retry), the Unix
 *   time in seconds of this attempt, and the exact body bytes sent
 * @returns the headers to send
 * @example signWebhook({ secret, id: 'msg_J', timestampSeconds: 1767225600, body: '{"a":1}' })
 */
export function signWebhook(options: {
  secret: string;
  id: string;
  timestampSeconds: number;
  body: string;
}): WebhookHeaders {
  const key = Buffer.from(options.secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const timestamp = String(Math.floor(options.timestampSeconds));
  const signature = createHmac('sha256', key)
    .update(`${options.id}.${timestamp}.${options.body}`)
    .digest('base64');
  return { 'webhook-id': options.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
