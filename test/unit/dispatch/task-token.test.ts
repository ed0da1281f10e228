import { describe, expect, it } from 'vitest';
import { verifyTaskToken } from '../../../shared/cloud/task-token.js';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';

const NOW = 1_800_000_000_000;
const expected = {
  audience: 'https://run-stage.example.run.app',
  email: 'tasks@p.iam.gserviceaccount.com',
  nowMs: NOW,
};
const good = `Bearer ${oidcToken({ email: expected.email, audience: expected.audience, nowMs: NOW })}`;

describe('verifyTaskToken', () => {
  it('accepts the token Cloud Tasks sends for the invoker and this worker', () => {
    expect(verifyTaskToken(good, expected)).toBeUndefined();
  });

  it.each([
    { why: 'no header', header: undefined, reason: /no OIDC bearer token/ },
    { why: 'not a JWT', header: 'Bearer abc', reason: /no OIDC bearer token/ },
    { why: 'an API key', header: 'Basic dXNlcjpwYXNz', reason: /no OIDC bearer token/ },
    {
      why: 'another account',
      header: `Bearer ${oidcToken({ email: 'x@p.iam.gserviceaccount.com', audience: expected.audience, nowMs: NOW })}`,
      reason: /not the invoker/,
    },
    {
      why: 'another audience',
      header: `Bearer ${oidcToken({ email: expected.email, audience: 'https://other.run.app', nowMs: NOW })}`,
      reason: /audience/,
    },
    {
      why: 'an expired token',
      header: `Bearer ${oidcToken({ email: expected.email, audience: expected.audience, nowMs: NOW - 2 * 3600_000 })}`,
      reason: /expired/,
    },
  ])('refuses $why', ({ header, reason }) => {
    expect(verifyTaskToken(header, expected)).toMatch(reason);
  });
});
