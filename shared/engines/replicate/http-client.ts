import type { Clock } from '../../clock.js';
import { EngineError, type ErrorCode, TransientError } from '../../errors.js';
import { retry } from '../../retry.js';
import { type ApiProblem, ApiProblemSchema } from './api-types.js';

/**
 * One HTTP exchange with Replicate, with the retry policy that is safe for it:
 * - `idempotent` requests (GET) retry on network errors, 429 and 5xx;
 * - other requests (POST) retry only on 429, which Replicate answers before doing anything.
 * Waits honour `Retry-After` or the "resets in ~30s" hint and never pass the deadline.
 */

/** Time and randomness, injectable for tests. */
export interface ReplicateClock extends Clock {
  random: () => number;
}

/** The time budget of one edit call. */
export interface Budget {
  /** Epoch milliseconds (on the clock's `now`) after which no new attempt starts. */
  deadline: number;
  signal?: AbortSignal | undefined;
}

/** One request to send. */
export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  idempotent: boolean;
  /** What the call does, for messages ("create prediction", "poll prediction abc"). */
  what: string;
  /** The code of a network failure that must not be retried (defaults to `ENGINE_UNAVAILABLE`). */
  networkCode?: ErrorCode;
}

/** Retry bounds; defaults after the JS client's 6 attempts and 500 ms poll interval. */
export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 15_000;

/** Sends HTTP calls with a retry policy. */
export interface HttpSender {
  send(call: HttpCall, budget: Budget): Promise<Response>;
}

/**
 * @param options fetch, clock and retry bound
 * @returns a sender that throws EngineError (permanent) or TransientError, never a raw fetch error
 */
export function createHttpSender(options: {
  fetch: typeof fetch;
  clock: ReplicateClock;
  maxAttempts?: number;
}): HttpSender {
  const { fetch: doFetch, clock } = options;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  // Failures another attempt may cure, with the wait the service asked for; any other error ends the call.
  const retryable = new WeakMap<TransientError, number | undefined>();
  const attempt = async (call: HttpCall, budget: Budget): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal: budget.signal,
      });
    } catch (err) {
      if (budget.signal?.aborted) {
        throw new TransientError(
          'DEADLINE_EXCEEDED',
          `Replicate: ${call.what} was aborted by the time budget`,
          {
            cause: err,
          },
        );
      }
      const error = new TransientError(
        call.networkCode ?? 'ENGINE_UNAVAILABLE',
        `Replicate: ${call.what} failed in transit (${describe(err)})`,
        { cause: err },
      );
      if (call.idempotent) retryable.set(error, undefined);
      throw error;
    }
    if (res.ok) return res;
    const problem = await readProblem(res);
    if (res.status === 429 || (res.status >= 500 && call.idempotent)) {
      const hint = retryHint(res, problem, clock.now);
      const error = new TransientError(
        'ENGINE_UNAVAILABLE',
        `Replicate: ${call.what} answered ${res.status}${problem.detail ? `: ${problem.detail}` : ''}`,
        {
          status: res.status,
          details: { detail: problem.detail },
          ...(hint ? { retryAfterMs: hint } : {}),
        },
      );
      retryable.set(error, hint);
      throw error;
    }
    throw classify(res.status, problem, call.what);
  };
  return {
    send(call, budget) {
      // Sleeping past the deadline cannot help: the last error goes to the platform, which redelivers.
      return retry(() => attempt(call, budget), {
        clock,
        maxAttempts,
        deadline: budget.deadline,
        signal: budget.signal,
        shouldRetry: (err) => err instanceof TransientError && retryable.has(err),
        delayMs: (err, n) => retryable.get(err as TransientError) ?? backoff(n, clock),
      });
    },
  };
}

/**
 * Maps a final error response to a Darkroom error.
 * @returns TransientError for 5xx, EngineError with a stable code otherwise
 */
export function classify(status: number, problem: ApiProblem, what: string): EngineError | TransientError {
  const fields = (problem.invalid_fields ?? [])
    .map((f) => `${f.field ?? '?'}: ${f.description ?? 'invalid'}`)
    .join('; ');
  const text = fields || problem.detail || problem.title || 'no detail';
  const message = `Replicate: ${what} answered ${status}: ${text}`;
  const options = {
    status,
    details: { status, detail: problem.detail, invalidFields: problem.invalid_fields },
  };
  if (status >= 500) return new TransientError('ENGINE_UNAVAILABLE', message, options);
  if (status === 401 || status === 403) return new EngineError('ENGINE_PERMISSION_DENIED', message, options);
  if (status === 404) return new EngineError('ENGINE_MODEL_NOT_FOUND', message, options);
  return new EngineError('ENGINE_REJECTED', message, options);
}

/** The delay a 429/503 asks for: `Retry-After` (seconds or date), else "resets in ~Ns" in `detail`. */
export function retryHint(
  res: Response,
  problem: ApiProblem,
  now: () => number = Date.now,
): number | undefined {
  const header = res.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - now());
  }
  const match = problem.detail?.match(/resets in ~?(\d+(?:\.\d+)?)\s*s/i);
  return match ? Number(match[1]) * 1000 : undefined;
}

// ─── internals ────────────────────────────────────────────────────────────────

async function readProblem(res: Response): Promise<ApiProblem> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = ApiProblemSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page): keep a short excerpt as the detail.
  }
  return { detail: text.slice(0, 200) || undefined };
}

function backoff(attempt: number, clock: ReplicateClock): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, DEFAULT_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (clock.random() * ceiling) / 2);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
