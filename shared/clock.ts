import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as everything in Darkroom reads it: the pipeline's deadlines, the engines' retry waits and
 * polls, the logger's timestamps and the CLI's progress. Injectable, so tests never wait and the
 * bench can run a per-minute quota in seconds (`bench/lib/dilated-clock.ts`).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now: () => number;
  /**
   * Resolves after `ms` milliseconds of this clock.
   * @throws whatever the signal's abort raises, when `signal` is aborted first
   */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Real time: `Date.now` and an abortable `setTimeout`. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
};

/**
 * A clock from optional parts, the missing ones real.
 * @param parts `now` and `sleep` overrides (an engine's options, a test's fake time)
 * @returns a complete Clock
 * @example
 * const clock = clockFrom({ now: options.now, sleep: options.sleep });
 */
export function clockFrom(parts: {
  now?: Clock['now'] | undefined;
  sleep?: Clock['sleep'] | undefined;
}): Clock {
  return { now: parts.now ?? SYSTEM_CLOCK.now, sleep: parts.sleep ?? SYSTEM_CLOCK.sleep };
}
