import { z } from 'zod';
import { ConfigError, parseEnv } from '../config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * The completion-event variables (all optional: without them nothing is announced).
 * Documented in the README's configuration table and in docs/integrations.md.
 */
export const NotifyConfigSchema = z
  .object({
    COMPLETION_TOPIC: z
      .string()
      .regex(/^(projects\/[^/]+\/topics\/)?[a-zA-Z][\w.~+%-]{2,254}$/, {
        error: 'must be a topic id or projects/PROJECT/topics/TOPIC',
      })
      .optional(),
    WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    WEBHOOK_HOSTS: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      )
      .default([]),
    WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
        error: 'must be whsec_ followed by base64 (Standard Webhooks)',
      })
      .optional(),
    WEBHOOK_ALLOW_PRIVATE: bool.default(false),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  })
  .transform((env) => ({
    topic: env.COMPLETION_TOPIC,
    webhook: {
      url: env.WEBHOOK_URL,
      hosts: env.WEBHOOK_HOSTS,
      secret: env.WEBHOOK_SECRET,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    },
  }));

export type NotifyConfig = z.output<typeof NotifyConfigSchema>;

/**
 * Reads the completion-event configuration.
 * @param env an environment object
 * @throws ConfigError naming each invalid variable, and when webhooks are configured
 *   (`WEBHOOK_URL` or `WEBHOOK_HOSTS`) without `WEBHOOK_SECRET`
 * @example loadNotifyConfig({ COMPLETION_TOPIC: 'darkroom-completions' })
 */
export function loadNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  // The secret is never echoed back.
  const config = parseEnv(NotifyConfigSchema, env, { hidden: ['WEBHOOK_SECRET'] });
  if ((config.webhook.url || config.webhook.hosts.length > 0) && !config.webhook.secret) {
    throw new ConfigError([
      'Environment variable WEBHOOK_SECRET is required with WEBHOOK_URL or WEBHOOK_HOSTS: webhooks are always signed',
    ]);
  }
  return config;
}
