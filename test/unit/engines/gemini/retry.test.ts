import { describe, expect, it } from 'vitest';
import {
  GEMINI_RETRY_DEFAULTS,
  type GeminiRetryPolicy,
  withGeminiRetries,
} from '../../../../shared/engines/gemini/retry.js';
import { EngineError, TransientError } from '../../../../shared/errors.js';

/** A clock whose sleeps only move time forward, and record what was asked. */
function fakeClock(random = () => 0.5) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => t,
      random,
      sleep: async (ms: number, signal?: AbortSignal) => {
        if (signal?.aborted) throw signal.reason;
        sleeps.push(ms);
        t += ms;
      },
    },
    advance: (ms: number) => {
      t += ms;
    },
    get now() {
      return t;
    },
  };
}

const policy: GeminiRetryPolicy = { ...GEMINI_RETRY_DEFAULTS };
const unavailable = (retryAfterMs?: number) =>
  new TransientError('ENGINE_UNAVAILABLE', '503', { status: 503, ...(retryAfterMs ? { retryAfterMs } : {}) });

/** An attempt function that throws the given errors in turn, then returns 'done'. */
function failing(...errors: Error[]) {
  const seen: Array<{ attempt: number; timeoutMs: number }> = [];
  const fn = async (ctx: { attempt: number; timeoutMs: number }) => {
    seen.push(ctx);
    const err = errors[ctx.attempt - 1];
    if (err) throw err;
    return 'done';
  };
  return { fn, seen };
}

describe('withGeminiRetries', () => {
  it('retries transient errors with full-jitter exponential backoff', async () => {
    const c = fakeClock(() => 0.5);
    const { fn } = failing(unavailable(), unavailable(), unavailable());
    const out = await withGeminiRetries(fn, { policy, clock: c.clock, model: 'm' });
    expect(out).toMatchObject({ value: 'done', attempts: 4 });
    expect(c.sleeps).toEqual([500, 1000, 2000]);
    expect(out.failures.map((f) => f.delayMs)).toEqual([500, 1000, 2000]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const c = fakeClock(() => 0.999);
    const { fn } = failing(...Array.from({ length: 8 }, () => unavailable()));
    await withGeminiRetries(fn, {
      policy: { ...policy, maxAttempts: 9, maxDelayMs: 5000 },
      clock: c.clock,
      model: 'm',
    });
    expect(Math.max(...c.sleeps)).toBeLessThanOrEqual(5000);
    expect(c.sleeps.at(-1)).toBe(4995);
  });

  it('waits what the service asked for (RetryInfo) rather than its own backoff', async () => {
    const c = fakeClock(() => 0);
    const { fn } = failing(unavailable(7000));
    await withGeminiRetries(fn, { policy, clock: c.clock, model: 'm' });
    expect(c.sleeps).toEqual([7000]);
  });

  it('does not wait longer than maxDelayMs: a longer RetryInfo delay is handed back at once', async () => {
    const c = fakeClock(() => 0.9);
    const { fn, seen } = failing(unavailable(90_000), unavailable(60_000));
    const err = await withGeminiRetries(fn, { policy, clock: c.clock, model: 'm' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'ENGINE_UNAVAILABLE', retryAfterMs: 90_000 });
    expect(seen).toHaveLength(1);
    const capped = failing(unavailable(60_000));
    await withGeminiRetries(capped.fn, { policy, clock: c.clock, model: 'm' });
    expect(c.sleeps).toEqual([60_000]);
  });

  it('gives up after maxAttempts with a TransientError ENGINE_UNAVAILABLE', async () => {
    const c = fakeClock();
    const { fn, seen } = failing(...Array.from({ length: 5 }, () => unavailable()));
    const err = await withGeminiRetries(fn, {
      policy: { ...policy, maxAttempts: 3 },
      clock: c.clock,
      model: 'm',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'ENGINE_UNAVAILABLE', status: 503, details: { attempts: 3 } });
    expect(seen).toHaveLength(3);
  });

  it('never retries a permanent error', async () => {
    const c = fakeClock();
    const blocked = new EngineError('ENGINE_BLOCKED', 'no');
    const { fn, seen } = failing(blocked);
    await expect(withGeminiRetries(fn, { policy, clock: c.clock, model: 'm' })).rejects.toBe(blocked);
    expect(seen).toHaveLength(1);
    expect(c.sleeps).toEqual([]);
  });

  it('gives a reply without an image exactly one more try', async () => {
    const c = fakeClock();
    const noImage = () => new EngineError('ENGINE_NO_IMAGE', 'text only');
    expect(
      (await withGeminiRetries(failing(noImage()).fn, { policy, clock: c.clock, model: 'm' })).attempts,
    ).toBe(2);
    const twice = failing(noImage(), noImage());
    await expect(withGeminiRetries(twice.fn, { policy, clock: c.clock, model: 'm' })).rejects.toMatchObject({
      code: 'ENGINE_NO_IMAGE',
    });
    expect(twice.seen).toHaveLength(2);
  });

  it('bounds each attempt by the time left before the deadline', async () => {
    const c = fakeClock();
    const { fn, seen } = failing();
    await withGeminiRetries(fn, { policy, clock: c.clock, model: 'm', deadline: c.now + 30_000 });
    expect(seen[0]?.timeoutMs).toBe(30_000);
  });

  it('does not sleep past the deadline: it throws DEADLINE_EXCEEDED for the platform to redeliver', async () => {
    const c = fakeClock(() => 0);
    const { fn, seen } = failing(unavailable(60_000));
    const err = await withGeminiRetries(fn, {
      policy,
      clock: c.clock,
      model: 'm',
      deadline: c.now + 40_000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect((err as Error).cause).toBeInstanceOf(TransientError);
    expect(seen).toHaveLength(1);
    expect(c.sleeps).toEqual([]);
  });

  it('does not start an attempt with less than minAttemptMs left', async () => {
    const c = fakeClock();
    const { fn, seen } = failing();
    const err = await withGeminiRetries(fn, {
      policy,
      clock: c.clock,
      model: 'm',
      deadline: c.now + 5_000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(seen).toHaveLength(0);
  });

  it('stops when the signal is aborted while it waits', async () => {
    const controller = new AbortController();
    const c = fakeClock();
    c.clock.sleep = async (_ms, signal) => {
      controller.abort();
      if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    };
    const { fn, seen } = failing(unavailable(), unavailable());
    const err = await withGeminiRetries(fn, {
      policy,
      clock: c.clock,
      model: 'm',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(seen).toHaveLength(1);
  });
});
