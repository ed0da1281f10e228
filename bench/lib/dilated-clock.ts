import { setTimeout as delay } from 'node:timers/promises';

/**
 * A clock that runs `factor` times faster than real time, for running a per-minute quota
 * in seconds: the quota server, the engine's retry waits and the pipeline's deadlines all
 * read it, so every wait and window shrinks alike while real work (HTTP, images) does not.
 */
export interface DilatedClock {
  factor: number;
  /** Dilated epoch milliseconds. */
  now: () => number;
  /** Sleeps `ms` dilated milliseconds (`ms / factor` real ones). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Creates a {@link DilatedClock} that starts at the real time. */
export function createDilatedClock(factor: number): DilatedClock {
  const origin = Date.now();
  return {
    factor,
    now: () => origin + (Date.now() - origin) * factor,
    sleep: (ms, signal) => delay(ms / factor, undefined, signal ? { signal } : undefined),
  };
}
