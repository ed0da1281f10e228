import { describe, expect, it } from 'vitest';
import { checkOutputUrl, outputHostsFrom } from '../../../../shared/engines/replicate/output-hosts.js';

const API = 'https://api.replicate.com/v1';

describe('outputHostsFrom', () => {
  it("defaults to Replicate's delivery hosts plus the API's own host", () => {
    expect(outputHostsFrom({}, API)).toEqual([
      'replicate.delivery',
      '*.replicate.delivery',
      'api.replicate.com',
    ]);
  });
  it('reads REPLICATE_OUTPUT_HOSTS, comma-separated, lower-cased', () => {
    expect(outputHostsFrom({ REPLICATE_OUTPUT_HOSTS: ' CDN.example.com, *.files.example ' }, API)).toEqual([
      'cdn.example.com',
      '*.files.example',
      'api.replicate.com',
    ]);
  });
});

describe('checkOutputUrl', () => {
  const hosts = outputHostsFrom({}, API);
  it.each([
    'https://replicate.delivery/pbxt/abc/out.png',
    'https://pbxt.replicate.delivery/abc/out.png',
    'https://api.replicate.com/v1/files/abc',
  ])('accepts %s', (url) => {
    expect(() => checkOutputUrl(url, hosts, API)).not.toThrow();
  });
  it.each([
    ['http://replicate.delivery/x.png', 'plain http'],
    ['https://evilreplicate.delivery/x.png', 'a lookalike, not a subdomain'],
    ['https://replicate.delivery.evil.com/x.png', 'a suffix trick'],
    ['http://169.254.169.254/computeMetadata/v1/', 'the metadata server'],
    ['file:///etc/passwd', 'another scheme'],
  ])('refuses %s (%s)', (url) => {
    expect(() => checkOutputUrl(url, hosts, API)).toThrow(/not on an allowed output host/);
  });
  it('refuses what is not a URL', () => {
    expect(() => checkOutputUrl('not a url', hosts, API)).toThrow(/is not a URL/);
  });
});
