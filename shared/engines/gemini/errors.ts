import { ApiError } from '@google/genai';
import { EngineError, PermanentError, PipelineError, TransientError } from '../../errors.js';

/**
 * HTTP statuses worth retrying. Same set as the SDK's `DEFAULT_RETRY_HTTP_STATUS_CODES`, which is
 * "based on the GCS retry strategy"; other 5xx are retried too.
 */
export const RETRYABLE_HTTP_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** The parts of Google's JSON error body (`{"error":{code,message,status,details}}`) we read. */
export interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown>>;
}

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

/**
 * Reads `google.rpc.RetryInfo.retryDelay` (a protobuf Duration in JSON: `"2s"`, `"0.250s"`).
 * @returns the delay in milliseconds, or undefined when there is none
 */
export function retryDelayMs(body: GoogleErrorBody | undefined): number | undefined {
  const info = body?.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  const delay = info?.retryDelay;
  if (typeof delay !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/** What the classifier needs to know about the call that failed. */
export interface GeminiCallContext {
  model: string;
  /** The caller's signal: when it is aborted, an abort means the budget ran out, not a timeout. */
  signal?: AbortSignal | undefined;
  /** The per-attempt timeout that was set, for the message. */
  timeoutMs?: number | undefined;
}

/**
 * Turns whatever `generateContent` threw into one of our error classes.
 * - `ApiError` 400 → ENGINE_REJECTED, 401/403 → ENGINE_PERMISSION_DENIED, 404 → ENGINE_MODEL_NOT_FOUND
 *   (permanent, status kept); 408/429/5xx → ENGINE_UNAVAILABLE (transient, `retryAfterMs` from RetryInfo).
 * - an abort of the caller's signal → DEADLINE_EXCEEDED (transient); any other abort is the
 *   per-attempt timeout → ENGINE_UNAVAILABLE (transient).
 * - network failures (`TypeError: fetch failed`, socket errors) and unparseable replies → ENGINE_UNAVAILABLE.
 * - anything else → INTERNAL (permanent), cause kept.
 * @param err the thrown value
 * @param ctx the model and signal of the call
 */
export function classifyGeminiError(err: unknown, ctx: GeminiCallContext): PipelineError {
  if (err instanceof PipelineError) return err;
  if (err instanceof ApiError) return _fromApiError(err, ctx.model);
  if (ctx.signal?.aborted) {
    return new TransientError(
      'DEADLINE_EXCEEDED',
      `Gemini call to ${ctx.model} aborted: time budget ran out`,
      {
        cause: err,
      },
    );
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini call to ${ctx.model} timed out after ${ctx.timeoutMs ?? '?'} ms`,
      { cause: err, details: { reason: 'timeout' } },
    );
  }
  if (err instanceof SyntaxError) {
    return new TransientError('ENGINE_UNAVAILABLE', `Gemini reply from ${ctx.model} is not valid JSON`, {
      cause: err,
      details: { reason: 'malformed-reply' },
    });
  }
  if (err instanceof TypeError || _hasNetworkCode(err)) {
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini call to ${ctx.model} failed on the network: ${_describe(err)}`,
      { cause: err, details: { reason: 'network' } },
    );
  }
  return new PermanentError('INTERNAL', `Gemini call to ${ctx.model} failed: ${_describe(err)}`, {
    cause: err,
  });
}

// ── internal ──────────────────────────────────────────────────────────────

function _fromApiError(err: ApiError, model: string): PipelineError {
  const status = err.status;
  const body = parseGoogleError(err.message);
  const text = body?.message ?? err.message;
  const details = { status: body?.status, httpStatus: status, message: text };
  if (RETRYABLE_HTTP_STATUSES.includes(status) || status >= 500) {
    const retryAfterMs = retryDelayMs(body);
    return new TransientError(
      'ENGINE_UNAVAILABLE',
      `Gemini ${model} answered ${status} ${body?.status ?? ''}: ${text}`,
      {
        cause: err,
        status,
        details,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }
  if (status === 404) {
    return new EngineError(
      'ENGINE_MODEL_NOT_FOUND',
      `Gemini model ${model} was not found (does not exist or has been retired): ${text}`,
      { cause: err, status, details },
    );
  }
  const code = status === 401 || status === 403 ? 'ENGINE_PERMISSION_DENIED' : 'ENGINE_REJECTED';
  return new EngineError(
    code,
    `Gemini ${model} refused the request (${status} ${body?.status ?? ''}): ${text}`,
    {
      cause: err,
      status,
      details,
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
