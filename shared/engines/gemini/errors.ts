import { ApiError } from '@google/genai';
import { EngineError, PermanentError, PipelineError, TransientError } from '../../errors.js';
import { classifyQuota, type GoogleErrorBody, retryDelayMs } from './quota.js';

export { type GoogleErrorBody, retryDelayMs } from './quota.js';

/**
 * HTTP statuses worth retrying. Same set as the SDK's `DEFAULT_RETRY_HTTP_STATUS_CODES`, which is
 * "based on the GCS retry strategy"; other 5xx are retried too.
 */
export const RETRYABLE_HTTP_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/**
 * What kind of failure a classified error is, in `details.kind`: what a scheduler (the Cloud Tasks
 * dispatcher, the CLI) reads with `isTransient()` and `retryAfterMs` to tell "later" from "never".
 * - later: `rate-limit` (wait `retryAfterMs`, or back off), `quota-per-day` (wait `retryAfterMs`,
 *   until the daily reset), `overloaded` (503), `server` (other 5xx, 408), `timeout`, `network`,
 *   `malformed-reply`, `budget` (the caller's deadline);
 * - never: `billing`, `rejected` (400), `permission` (401/403), `not-found` (404), `internal`.
 */
export type GeminiFailureKind =
  | 'rate-limit'
  | 'quota-per-day'
  | 'billing'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed-reply'
  | 'budget'
  | 'rejected'
  | 'permission'
  | 'not-found'
  | 'internal';

/**
 * Parses the JSON an `ApiError` carries in its message.
 * @returns the `error` object, or undefined when the message is not Google's JSON
 */
export function parseGoogleError(message: string): GoogleErrorBody | undefined {
  try {
    const parsed = JSON.parse(message) as { error?: GoogleErrorBody };
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** What the classifier needs to know about the call that failed. */
export interface GeminiCallContext {
  model: string;
  /** The caller's signal: when it is aborted, an abort means the budget ran out, not a timeout. */
  signal?: AbortSignal | undefined;
  /** The per-attempt timeout that was set, for the message. */
  timeoutMs?: number | undefined;
  /** The engine's clock (epoch ms), for the time left until a daily quota resets; default Date.now. */
  now?: (() => number) | undefined;
}

/**
 * Turns whatever `generateContent` threw into one of our error classes, with `details.kind` (a
 * {@link GeminiFailureKind}) and, for waits, `retryAfterMs`.
 * - `ApiError` 400 → ENGINE_REJECTED, 401/403 → ENGINE_PERMISSION_DENIED, 404 → ENGINE_MODEL_NOT_FOUND
 *   (permanent, status kept); 408/5xx → ENGINE_UNAVAILABLE (transient);
 * - 429 by its details (see `quota.ts`): a per-minute quota or RetryInfo → ENGINE_UNAVAILABLE with
 *   `retryAfterMs`; a per-day quota → ENGINE_QUOTA_EXHAUSTED with `retryAfterMs` until the daily
 *   reset; a billing or spend-limit stop → ENGINE_BILLING (permanent);
 * - an abort of the caller's signal → DEADLINE_EXCEEDED (transient); any other abort is the
 *   per-attempt timeout → ENGINE_UNAVAILABLE (transient);
 * - network failures (`TypeError: fetch failed`, socket errors) and unparseable replies → ENGINE_UNAVAILABLE;
 * - anything else → INTERNAL (permanent), cause kept.
 * @param err the thrown value
 * @param ctx the model, signal and clock of the call
 */
export function classifyGeminiError(err: unknown, ctx: GeminiCallContext): PipelineError {
  if (err instanceof PipelineError) return err;
  if (err instanceof ApiError) return _fromApiError(err, ctx.model, (ctx.now ?? Date.now)());
  if (ctx.signal?.aborted) {
    return new TransientError(
      'DEADLINE_EXCEEDED',
      `Gemini call to ${ctx.model} aborted: time budget ran out`,
      {
        cause: err,
        details: { kind: 'budget' },
      },
    );
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini call to ${ctx.model} timed out after ${ctx.timeoutMs ?? '?'} ms`,
      { cause: err, details: { reason: 'timeout', kind: 'timeout' } },
    );
  }
  if (err instanceof SyntaxError) {
    return new TransientError('ENGINE_UNAVAILABLE', `Gemini reply from ${ctx.model} is not valid JSON`, {
      cause: err,
      details: { reason: 'malformed-reply', kind: 'malformed-reply' },
    });
  }
  if (err instanceof TypeError || _hasNetworkCode(err)) {
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini call to ${ctx.model} failed on the network: ${_describe(err)}`,
      { cause: err, details: { reason: 'network', kind: 'network' } },
    );
  }
  return new PermanentError('INTERNAL', `Gemini call to ${ctx.model} failed: ${_describe(err)}`, {
    cause: err,
    details: { kind: 'internal' },
  });
}

// ── internal ──────────────────────────────────────────────────────────────

function _fromApiError(err: ApiError, model: string, now: number): PipelineError {
  const status = err.status;
  const body = parseGoogleError(err.message);
  const text = body?.message ?? err.message;
  const base = { status: body?.status, httpStatus: status, message: text };
  if (status === 429) return _fromQuota(err, { model, body, text, base, now });
  if (RETRYABLE_HTTP_STATUSES.includes(status) || status >= 500) {
    const retryAfterMs = retryDelayMs(body);
    const kind: GeminiFailureKind = status === 503 ? 'overloaded' : 'server';
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini ${model} answered ${status} ${body?.status ?? ''}: ${text}`,
      {
        cause: err,
        status,
        details: { ...base, kind },
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }
  if (status === 404) {
    return new EngineError(
      'ENGINE_MODEL_NOT_FOUND',
      `Gemini model ${model} was not found (does not exist or has been retired): ${text}`,
      { cause: err, status, details: { ...base, kind: 'not-found' } },
    );
  }
  const denied = status === 401 || status === 403;
  return new EngineError(
    denied ? 'ENGINE_PERMISSION_DENIED' : 'ENGINE_REJECTED',
    `Gemini ${model} refused the request (${status} ${body?.status ?? ''}): ${text}`,
    { cause: err, status, details: { ...base, kind: denied ? 'permission' : 'rejected' } },
  );
}

function _fromQuota(
  err: ApiError,
  o: {
    model: string;
    body: GoogleErrorBody | undefined;
    text: string;
    base: Record<string, unknown>;
    now: number;
  },
): PipelineError {
  const verdict = classifyQuota(o.body, o.now);
  const details = { ...o.base, kind: verdict.kind, quotaIds: verdict.quotaIds };
  if (verdict.kind === 'billing') {
    return new EngineError(
      'ENGINE_BILLING',
      `Gemini ${o.model} stopped serving this project for billing (429 ${o.body?.status ?? ''}): ${o.text} ` +
        'Operators: add credits or raise the spend limit of the project, then upload the sidecar again.',
      { cause: err, status: 429, details },
    );
  }
  const wait = verdict.retryAfterMs;
  if (verdict.kind === 'quota-per-day') {
    const hours = ((wait ?? 0) / 3_600_000).toFixed(1);
    return new TransientError(
      'ENGINE_QUOTA_EXHAUSTED',
      `Gemini ${o.model}: the daily quota (${verdict.quotaIds.join(', ')}) is used up; it resets at midnight Pacific time, in ${hours} h: ${o.text}`,
      { cause: err, status: 429, details, ...(wait !== undefined ? { retryAfterMs: wait } : {}) },
    );
  }
  return new TransientError(
    'ENGINE_UNAVAILABLE',
    `Gemini ${o.model} answered 429 ${o.body?.status ?? ''}: ${o.text}`,
    {
      cause: err,
      status: 429,
      details,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    },
  );
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function _hasNetworkCode(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function _describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
