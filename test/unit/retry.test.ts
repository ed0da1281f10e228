import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { retry } from '../../shared/retry.js';

/** A clock whose sleep advances time at once and records every wait. */
function fakeClock(start = 1_000_000): Clock & { waits: number[] } {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      waits.push(ms);
      t += ms;
    },
  };
}

/** An attempt that fails `failures` times with numbered errors, then returns 'ok'. */
function flaky(failures: number) {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= failures) throw new Error(`failure ${calls}`);
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('retry', () => {
  it('returns the first success, waiting what delayMs asks between attempts', async () => {
    const clock = fakeClock();
    const { fn, calls } = flaky(2);
    const value = await retry(fn, { clock, shouldRetry: () => true, delayMs: (_e, n) => n * 100 });
    expect(value).toBe('ok');
    expect(calls()).toBe(3);
    expect(clock.waits).toEqual([100, 200]);
  });

  it('rethrows a failure shouldRetry refuses, without waiting', async () => {
    const clock = fakeClock();
    const { fn, calls } = flaky(5);
    await expect(retry(fn, { clock, shouldRetry: () => false, delayMs: () => 100 })).rejects.toThrow(
      'failure 1',
    );
    expect(calls()).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it('stops at maxAttempts with the last failure, or what giveUp makes of it', async () => {
    const clock = fakeClock();
    const { fn, calls } = flaky(5);
    await expect(
      retry(fn, { clock, maxAttempts: 3, shouldRetry: () => true, delayMs: () => 1 }),
    ).rejects.toThrow('failure 3');
    expect(calls()).toBe(3);
    const other = flaky(5);
    await expect(
      retry(other.fn, {
        clock,
        maxAttempts: 2,
        shouldRetry: () => true,
        delayMs: () => 1,
        giveUp: (stop) => new Error(`${stop.kind}: ${(stop.error as Error).message}`),
      }),
    ).rejects.toThrow('attempts: failure 2');
  });

  it('does not wait past the deadline (less minAttemptMs)', async () => {
    const clock = fakeClock(0);
    const { fn, calls } = flaky(5);
    const stops: string[] = [];
    await expect(
      retry(fn, {
        clock,
        deadline: 1_000,
        minAttemptMs: 300,
        shouldRetry: () => true,
        delayMs: () => 400,
        giveUp: (stop) => {
          stops.push(stop.kind);
          return stop.error;
        },
      }),
    ).rejects.toThrow('failure 2');
    // 0 → fail, wait 400 (400 + 300 ≤ 1000); 400 → fail, 800 + 300 > 1000: stop.
    expect(calls()).toBe(2);
    expect(clock.waits).toEqual([400]);
    expect(stops).toEqual(['no-time-to-wait']);
  });

  it('with minAttemptMs, starts no attempt with too little time left or after an abort', async () => {
    const clock = fakeClock(0);
    const late = flaky(0);
    await expect(
      retry(late.fn, {
        clock,
        deadline: 100,
        minAttemptMs: 200,
        shouldRetry: () => true,
        delayMs: () => 1,
        giveUp: (stop) => new Error(stop.kind),
      }),
    ).rejects.toThrow('no-time');
    expect(late.calls()).toBe(0);
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(
      retry(late.fn, {
        clock,
        minAttemptMs: 0,
        signal: controller.signal,
        shouldRetry: () => true,
        delayMs: () => 1,
      }),
    ).rejects.toThrow('stop now');
    expect(late.calls()).toBe(0);
  });

  it('ends a wait the signal aborts with the abort, and reports each wait to onRetry', async () => {
    const controller = new AbortController();
    const clock = fakeClock();
    const seen: number[] = [];
    const { fn } = flaky(5);
    const sleep: Clock['sleep'] = async (ms, signal) => {
      controller.abort(new Error('aborted while waiting'));
      return clock.sleep(ms, signal);
    };
    await expect(
      retry(fn, {
        clock: { now: clock.now, sleep },
        signal: controller.signal,
        shouldRetry: () => true,
        delayMs: () => 50,
        onRetry: (_e, _n, waitMs) => seen.push(waitMs),
      }),
    ).rejects.toThrow('aborted while waiting');
    expect(seen).toEqual([50]);
  });
});
