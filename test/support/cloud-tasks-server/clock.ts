/**
 * The clock of the Cloud Tasks test server (and of whatever else a test wants on the same
 * time line, such as the Gemini server's per-minute quota). A scaled clock runs `scale` times
 * faster than the wall clock, so that minutes of queue time take seconds of test time; every
 * rate, backoff and deadline of the server is measured on it.
 */
export interface TestClock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** Calls `fn` after `ms` of this clock's time. */
  setTimer(ms: number, fn: () => void): { cancel(): void };
  /** Real milliseconds per clock millisecond (1 for the wall clock). */
  readonly scale: number;
}

/**
 * A clock that runs `scale` times faster than real time.
 * @example const clock = scaledClock(20); // one queue minute takes three real seconds
 */
export function scaledClock(scale = 1): TestClock {
  const realStart = Date.now();
  return {
    scale,
    now: () => realStart + (Date.now() - realStart) * scale,
    setTimer(ms, fn) {
      const timer = setTimeout(fn, Math.max(0, ms / scale));
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
