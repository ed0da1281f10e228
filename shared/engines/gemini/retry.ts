import { type Clock, SYSTEM_CLOCK as SYSTEM_TIME } from '../../clock.js';
import { type ErrorCode, isTransient, PipelineError, TransientError } from '../../errors.js';
import { retry } from '../../retry.js';

/**
 * Retry defaults. Backoff numbers are the SDK's own defaults (`DEFAULT_RETRY_INITIAL_DELAY` 1 s,
 * `DEFAULT_RETRY_MAX_DELAY` 60 s, exponent 2, "based on the GCS retry strategy"); jitter is full
 * jitter (a uniform draw between 0 and the exponential cap).
 */
export const GEMINI_RETRY_DEFAULTS = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  /** An image edit usually answers in 10–40 s; 4K on Pro can take minutes. */
  perAttemptTimeoutMs: 180_000,
  /** No attempt starts with less time than this left before the deadline. */
  minAttemptMs: 10_000,
  /** Extra tries for a reply without an image (NO_IMAGE, OTHER, text only) or with undecodable bytes. */
  noImageRetries: 1,
} as const;

/** Retry settings; every field has a default in {@link GEMINI_RETRY_DEFAULTS}. */
export type GeminiRetryPolicy = { -readonly [K in keyof typeof GEMINI_RETRY_DEFAULTS]: number };

/** Time and randomness, injectable so tests never wait. */
export interface RetryClock extends Clock {
  random: () => number;
}

/** The real clock. */
export const SYSTEM_CLOCK: RetryClock = { ...SYSTEM_TIME, random: Math.random };

/** One failed attempt, kept in lineage as `details.failures`. */
export interface AttemptFailure {
  attempt: number;
  code: ErrorCode;
  status?: number | undefined;
  message: string;
  /** How long the engine waited before the next attempt. */
  delayMs?: number | undefined;
}

const RETRY_ONCE: ReadonlySet<ErrorCode> = new Set(['ENGINE_NO_IMAGE', 'ENGINE_BAD_OUTPUT']);

/**
 * Runs `attempt` until it succeeds, a permanent error comes back, the attempt limit is reached or
 * the deadline leaves no room for another attempt. Transient errors that run out of attempts or time
 * are rethrown as TransientError (ENGINE_UNAVAILABLE or DEADLINE_EXCEEDED) so the platform redelivers.
 * @param attempt one call; receives its 1-based number, its timeout (≤ the time left) and how many
 *   no-image retries came before it (a retry after no image is sent with a new seed); must throw
 *   classified PipelineErrors
 * @param options policy, clock, the request's deadline (epoch ms) and signal, and the model for messages
 * @returns the value, the number of attempts made and the failures along the way
 */
export async function withGeminiRetries<T>(
  attempt: (ctx: { attempt: number; timeoutMs: number; noImageRetry: number }) => Promise<T>,
  options: {
    policy: GeminiRetryPolicy;
    clock: RetryClock;
    model: string;
    deadline?: number | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<{ value: T; attempts: number; failures: AttemptFailure[] }> {
  const { policy, clock, deadline, signal, model } = options;
  const failures: AttemptFailure[] = [];
  const outOfTime = (cause: unknown, why: string) => {
    const retryAfterMs = cause instanceof TransientError ? cause.retryAfterMs : undefined;
    return new TransientError(
      'DEADLINE_EXCEEDED',
      `Gemini ${model}: ${why} after ${failures.length} attempt(s)`,
      {
        cause,
        details: { kind: 'budget', attempts: failures.length, failures },
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  };
  let noImageTries = 0;
  let attempts = 0;
  const value = await retry(
    async ({ attempt: n, timeLeftMs }) => {
      attempts = n;
      const timeoutMs = Math.floor(Math.min(policy.perAttemptTimeoutMs, timeLeftMs));
      try {
        return await attempt({ attempt: n, timeoutMs, noImageRetry: noImageTries });
      } catch (thrown) {
        throw thrown instanceof PipelineError ? thrown : _internal(thrown);
      }
    },
    {
      clock,
      signal,
      deadline,
      minAttemptMs: policy.minAttemptMs,
      maxAttempts: policy.maxAttempts,
      shouldRetry: (thrown, n) => {
        const err = thrown as PipelineError;
        failures.push({
          attempt: n,
          code: err.code,
          status: (err as { status?: number }).status,
          message: err.message,
        });
        const onceMore = RETRY_ONCE.has(err.code) && noImageTries++ < policy.noImageRetries;
        if (err.code === 'DEADLINE_EXCEEDED') throw outOfTime(err, 'the time budget ran out');
        // A used-up daily quota is not waited out here: the caller parks the job until the reset.
        if (err.code === 'ENGINE_QUOTA_EXHAUSTED') return false;
        return isTransient(err) || onceMore;
      },
      delayMs: (thrown, n) => {
        const err = thrown as PipelineError;
        const retryAfterMs = isTransient(err) ? err.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) {
          throw new TransientError(
            'ENGINE_UNAVAILABLE',
            `Gemini ${model} asks to wait ${retryAfterMs} ms, longer than the ${policy.maxDelayMs} ms the engine waits; last: ${err.message}`,
            { cause: err, retryAfterMs, details: { ...err.details, attempts: n, failures } },
          );
        }
        return _backoff(n, retryAfterMs, policy, clock.random);
      },
      onRetry: (_err, _n, waitMs) => {
        const failure = failures.at(-1);
        if (failure) failure.delayMs = waitMs;
      },
      giveUp: (stop) => {
        const err = stop.error as PipelineError | undefined;
        switch (stop.kind) {
          case 'aborted':
            return outOfTime(err ?? stop.reason, 'the request was aborted');
          case 'no-time':
            return outOfTime(
              err,
              `${Math.max(0, Math.round(stop.leftMs))} ms left, too little to start another attempt`,
            );
          case 'attempts':
            if (!err || !isTransient(err)) return err;
            return new TransientError(
              'ENGINE_UNAVAILABLE',
              `Gemini ${model} gave up after ${stop.attempt} attempt(s); last: ${err.message}`,
              {
                cause: err,
                ...(err.status !== undefined ? { status: err.status } : {}),
                ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
                details: { ...err.details, attempts: stop.attempt, failures },
              },
            );
          case 'no-time-to-wait':
            if (!err || !isTransient(err)) return err;
            return outOfTime(
              err,
              `a wait of ${stop.waitMs} ms would leave too little time for another attempt`,
            );
          case 'aborted-while-waiting':
            return outOfTime(err, `the request was aborted while waiting (${describeAbort(stop.abort)})`);
        }
      },
    },
  );
  return { value, attempts, failures };
}

/**
 * The wait before attempt `n + 1`: the service's RetryInfo delay (plus up to 10 % jitter, within
 * `maxDelayMs`) when it gave one, otherwise full jitter over `base · 2^(n-1)` capped at `maxDelayMs`.
 */
function _backoff(
  n: number,
  retryAfterMs: number | undefined,
  policy: GeminiRetryPolicy,
  random: () => number,
) {
  if (retryAfterMs !== undefined) {
    return Math.max(
      retryAfterMs,
      Math.min(policy.maxDelayMs, Math.round(retryAfterMs * (1 + 0.1 * random()))),
    );
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(random() * cap);
}

function _internal(thrown: unknown): PipelineError {
  return new PipelineError('INTERNAL', `Unexpected failure: ${String(thrown)}`, { cause: thrown });
}

function describeAbort(abort: unknown): string {
  return abort instanceof Error ? abort.name : String(abort);
}
