import { describe, expect, it } from 'vitest';
import { isPrivateAddress, webhookHostProblem } from '../../../shared/notify/webhook-target.js';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['192.168.0.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:8.8.8.8', false],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2001:4860:4860::8888', false],
    ['hooks.example.com', false],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('webhookHostProblem', () => {
  it('allows a listed host, whatever its case or port', () => {
    expect(webhookHostProblem('https://Hooks.Example.com:8443/in', ['hooks.example.com'])).toBeUndefined();
  });

  it('names the host and the list when refusing', () => {
    expect(webhookHostProblem('https://evil.example.net/x', ['hooks.example.com'])).toBe(
      'notify.url: host "evil.example.net" is not one of WEBHOOK_HOSTS (hooks.example.com)',
    );
    expect(webhookHostProblem('https://hooks.example.com/x', [])).toMatch(/WEBHOOK_HOSTS is empty/);
  });
});
