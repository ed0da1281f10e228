import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createGeminiEngine, type GeminiEngineOptions } from '../../../../shared/engines/gemini/index.js';
import { TransientError } from '../../../../shared/errors.js';
import { fakeClock, geminiApiEnv, stagePlan } from '../../../support/gemini-server/harness.js';
import { solidImage } from '../../../support/gemini-server/images.js';
import { fault, type GeminiServer, seededRandom, startGeminiServer } from '../../../support/gemini-server.js';

let server: GeminiServer;
let input: EngineImage;
let clock: ReturnType<typeof fakeClock>;

beforeAll(async () => {
  // The server's quota runs on the same fake clock as the engine's retries.
  server = await startGeminiServer({ now: () => clock.now() });
  input = await solidImage([255, 0, 0], 300, 200);
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  clock = fakeClock();
});

const engine = (options: Partial<GeminiEngineOptions> = {}) =>
  createGeminiEngine({ env: geminiApiEnv(server.url), ...clock, ...options });
const edit = (options: Partial<GeminiEngineOptions> = {}, deadline?: number, signal?: AbortSignal) =>
  engine(options).edit({ stage: stagePlan(), input, references: [], deadline, signal });

describe('gemini engine retries', () => {
  it('succeeds after a 429, waiting exactly the RetryInfo delay', async () => {
    server.inject(fault.rateLimited('2s'));
    const result = await edit();
    expect(clock.sleeps).toEqual([2000]);
    expect(server.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(result.details).toMatchObject({
      attempts: 2,
      failures: [{ attempt: 1, code: 'ENGINE_UNAVAILABLE', status: 429, delayMs: 2000 }],
    });
  });

  it('succeeds after a burst of three 503s, with full-jitter exponential backoff', async () => {
    clock = fakeClock(undefined, () => 0.5);
    server.inject(fault.unavailable(), 3);
    const result = await edit();
    expect(result.details?.attempts).toBe(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(server.calls).toHaveLength(4);
  });

  it('recovers from a reply slower than the per-attempt timeout', async () => {
    // The first reply never comes in time; the timeout must also leave room for the second, normal
    // reply (a 512 px JPEG with two 256 KiB signatures) on a loaded machine: 3 s, not 200 ms.
    server.inject(fault.slow(10_000));
    const result = await engine({ perAttemptTimeoutMs: 3_000 }).edit({
      stage: stagePlan({}, { imageSize: '512' }),
      input,
      references: [],
    });
    expect(result.details?.attempts).toBe(2);
    expect(result.details?.failures).toEqual([
      expect.objectContaining({ message: expect.stringContaining('timed out') }),
    ]);
  });

  it('stops at the attempt limit with a TransientError', async () => {
    server.inject(fault.unavailable(), 10);
    const err = await edit({ maxAttempts: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'ENGINE_UNAVAILABLE', status: 503 });
    expect(server.calls).toHaveLength(3);
  });

  it('shrinks each attempt to the time left and throws DEADLINE_EXCEEDED when the budget runs out', async () => {
    clock = fakeClock(undefined, () => 0.999);
    server.inject(fault.unavailable(), 20);
    const err = await edit({ maxAttempts: 20 }, clock.now() + 25_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    // Per-attempt timeout = time left (25 000, 24 001, 22 003, 18 007, 10 015 ms), sent by the SDK as
    // X-Server-Timeout in seconds rounded up; no attempt starts with less than minAttemptMs (10 s) left.
    expect(server.calls.map((c) => c.headers['x-server-timeout'])).toEqual(['25', '25', '23', '19', '11']);
    expect(clock.sleeps).toEqual([999, 1998, 3996, 7992]);
  });

  it('does not wait for a RetryInfo delay longer than the budget: it throws at once for redelivery', async () => {
    server.inject(fault.rateLimited('45s'));
    const err = await edit({}, clock.now() + 30_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', retryAfterMs: 45_000 });
    expect(clock.sleeps).toEqual([]);
    expect(server.calls).toHaveLength(1);
  });

  it('stops when the caller aborts the signal during a call', async () => {
    server.inject(fault.slow(5_000));
    const err = await edit({}, undefined, AbortSignal.timeout(150)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(server.calls).toHaveLength(1);
  });

  it('waits out a per-minute quota (429 RESOURCE_EXHAUSTED with RetryInfo) and goes on', async () => {
    server.setQuota({ perMinute: 2 });
    const e = engine();
    for (let i = 0; i < 3; i++) await e.edit({ stage: stagePlan(), input, references: [] });
    expect(server.calls.map((c) => c.reply)).toEqual(['ok', 'ok', 'quota', 'ok']);
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('finishes every edit within the attempt limit under a 30% transient fault rate (seeded)', async () => {
    clock = fakeClock(undefined, seededRandom(11));
    server.setFaultRate({ rate: 0.3, seed: 2024 });
    const e = engine({ maxAttempts: 6 });
    const attempts: number[] = [];
    for (let i = 0; i < 12; i++) {
      const result = await e.edit({ stage: stagePlan({ index: i }), input, references: [] });
      attempts.push(result.details?.attempts as number);
    }
    const faults = server.calls.filter((c) => c.reply !== 'ok').length;
    expect(faults).toBeGreaterThan(0);
    expect(server.calls).toHaveLength(12 + faults);
    expect(Math.max(...attempts)).toBeLessThanOrEqual(6);
  });
});
