import { describe, expect, it } from 'vitest';
import { loadNotifyConfig } from '../../../shared/notify/notify-config.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('loadNotifyConfig', () => {
  it('announces nothing by default', () => {
    expect(loadNotifyConfig({})).toEqual({
      topic: undefined,
      webhook: { url: undefined, hosts: [], secret: undefined, allowPrivate: false, maxAttempts: 4 },
    });
  });

  it('reads a topic id or full name, hosts as a lower-case list', () => {
    expect(loadNotifyConfig({ COMPLETION_TOPIC: 'projects/p/topics/darkroom-completions' }).topic).toBe(
      'projects/p/topics/darkroom-completions',
    );
    const config = loadNotifyConfig({
      WEBHOOK_HOSTS: 'Hooks.Example.com, shop.example.org',
      WEBHOOK_SECRET: SECRET,
    });
    expect(config.webhook.hosts).toEqual(['hooks.example.com', 'shop.example.org']);
  });

  it.each([
    [{ COMPLETION_TOPIC: 'projects/p/subscriptions/x' }, /COMPLETION_TOPIC must be a topic id/],
    [{ WEBHOOK_URL: 'ftp://x.example.com/' }, /WEBHOOK_URL must be an http\(s\) URL/],
    [{ WEBHOOK_URL: 'https://hooks.example.com/' }, /WEBHOOK_SECRET is required with WEBHOOK_URL/],
    [{ WEBHOOK_SECRET: 'plain-text' }, /WEBHOOK_SECRET must be whsec_/],
  ])('refuses %o', (env, message) => {
    expect(() => loadNotifyConfig(env)).toThrow(message);
  });

  it('never echoes the secret in an error', () => {
    expect(() => loadNotifyConfig({ WEBHOOK_SECRET: 'hunter2-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
