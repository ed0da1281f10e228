import { type Clock, SYSTEM_CLOCK } from './clock.js';

/**
 * One retry loop for every caller that retries a remote call (the Gemini engine's attempts, the
 * Replicate engine's HTTP exchanges): attempts bounded by a count and a deadline, waits chosen by
 * the caller (backoff, `Retry-After`), abortable sleep. Each caller keeps its policy as named
 * constants and says, through {@link RetryOptions.giveUp}, which error ends a loop that stops.
 */

/** What {@link retry} hands each attempt. */
export interface RetryAttempt {
  /** 1-based attempt number. */
  attempt: number;
  /** Milliseconds left before the deadline (`Infinity` without one). */
  timeLeftMs: number;
}

/** Why a loop stopped without a value; `error` is the last attempt's failure, if any. */
export type RetryStop =
  | { kind: 'aborted'; error: unknown; reason: unknown }
  | { kind: 'no-time'; error: unknown; leftMs: number }
  | { kind: 'attempts'; error: unknown; attempt: number }
  | { kind: 'no-time-to-wait'; error: unknown; waitMs: number }
  | { kind: 'aborted-while-waiting'; error: unknown; abort: unknown };

/** Options of {@link retry}. */
export interface RetryOptions {
  /**
   * Whether a failure is worth another attempt; false rethrows it as it is. May throw to end the
   * loop with another error.
   */
  shouldRetry: (error: unknown, attempt: number) => boolean;
  /** The wait before the next attempt, after failure number `attempt`. May throw to end the loop. */
  delayMs: (error: unknown, attempt: number) => number;
  /** Attempts in all, the first included; default unbounded. */
  maxAttempts?: number | undefined;
  /** Epoch milliseconds on `clock` after which no wait may end. */
  deadline?: number | undefined;
  /**
   * When set, no attempt starts with less than this left before the deadline (nor after the
   * signal aborted), and no wait may leave less. Unset, only waits are bounded by the deadline.
   */
  minAttemptMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Default {@link SYSTEM_CLOCK}. */
  clock?: Clock | undefined;
  /** Called before each wait (to record it). */
  onRetry?: ((error: unknown, attempt: number, waitMs: number) => void) | undefined;
  /**
   * The error a stopped loop throws. Default: the abort for `aborted-while-waiting`, the signal's
   * reason for `aborted` before any failure, otherwise the last failure.
   */
  giveUp?: ((stop: RetryStop) => unknown) | undefined;
}

/**
 * Runs `fn` until it returns, a failure is not worth retrying, the attempts run out or the deadline
 * leaves no room for the wait.
 * @param fn one attempt
 * @param options the policy (see {@link RetryOptions})
 * @returns what the first successful attempt returned
 * @throws the last failure, or what `giveUp` returns for a stopped loop
 * @example
 * const res = await retry(() => fetch(url), {
 *   shouldRetry: (err) => err instanceof TransientError,
 *   delayMs: (err, n) => (err as TransientError).retryAfterMs ?? 500 * 2 ** (n - 1),
 *   maxAttempts: 6,
 *   deadline,
 *   signal,
 * });
 */
export async function retry<T>(fn: (attempt: RetryAttempt) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const reserve = options.minAttemptMs ?? 0;
  const giveUp = options.giveUp ?? _defaultGiveUp;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const timeLeftMs = deadline - clock.now();
    if (options.minAttemptMs !== undefined) {
      if (options.signal?.aborted)
        throw giveUp({ kind: 'aborted', error: last, reason: options.signal.reason });
      if (timeLeftMs < options.minAttemptMs)
        throw giveUp({ kind: 'no-time', error: last, leftMs: timeLeftMs });
    }
    try {
      return await fn({ attempt, timeLeftMs });
    } catch (error) {
      last = error;
      if (!options.shouldRetry(error, attempt)) throw error;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) {
        throw giveUp({ kind: 'attempts', error, attempt });
      }
      const waitMs = options.delayMs(error, attempt);
      if (clock.now() + waitMs + reserve > deadline) throw giveUp({ kind: 'no-time-to-wait', error, waitMs });
      options.onRetry?.(error, attempt, waitMs);
      try {
        await clock.sleep(waitMs, options.signal);
      } catch (abort) {
        throw giveUp({ kind: 'aborted-while-waiting', error, abort });
      }
    }
  }
}

// ── internal ──────────────────────────────────────────────────────────────

function _defaultGiveUp(stop: RetryStop): unknown {
  if (stop.kind === 'aborted-while-waiting') return stop.abort;
  if (stop.kind === 'aborted') return stop.error ?? stop.reason;
  return stop.error;
}
