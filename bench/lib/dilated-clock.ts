import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../shared/clock.js';

/**
 * A clock that runs `factor` times faster than real time, for running a per-minute quota
 * in seconds: the quota server, the engine's retry waits and the pipeline's deadlines all
 * read it, so every wait and window shrinks alike while real work (HTTP, images) does not.
 * `now` is dilated epoch milliseconds; `sleep(ms)` waits `ms` dilated milliseconds (`ms / factor` real ones).
 */
export interface DilatedClock extends Clock {
  factor: number;
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
