import { PermanentError, TransientError } from '../errors.js';

/**
 * How Cloud Storage failures become pipeline errors: retryable ones (the same HTTP
 * statuses the client itself retries, and network failures) are TransientError with
 * code `STORAGE_UNAVAILABLE`; refusals are PermanentError.
 */

/** HTTP statuses worth retrying: the client's own RETRYABLE_ERR_FN_DEFAULT list. */
export const TRANSIENT_HTTP_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** Network failure codes worth retrying (resets, refusals, DNS hiccups, timeouts). */
export const TRANSIENT_NETWORK_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  // Bytes arrived corrupted (checksum mismatch): sending or fetching them again may work.
  'CONTENT_DOWNLOAD_MISMATCH',
  'FILE_NO_UPLOAD',
];

/**
 * The HTTP status carried by an error from `@google-cloud/storage` (ApiError `code`,
 * gaxios `status`/`response.status`, or a resumable upload's "Retry limit exceeded - status: N").
 * @returns undefined when the error carries no HTTP status (network failures, bugs)
 */
export function statusOf(err: unknown): number | undefined {
  const e = err as {
    code?: unknown;
    status?: unknown;
    response?: { status?: unknown; statusCode?: unknown };
  };
  for (const value of [e?.code, e?.status, e?.response?.status, e?.response?.statusCode]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
    if (typeof value === 'string' && /^[1-5]\d\d$/.test(value)) return Number(value);
  }
  const message = err instanceof Error ? err.message : '';
  const exhausted = /^Retry (?:total time )?limit exceeded - status: (\d{3})/.exec(message);
  return exhausted ? Number(exhausted[1]) : undefined;
}

/**
 * Maps a Cloud Storage failure to the pipeline's error classes.
 * @param err what the client threw
 * @param what the operation, for the message (e.g. `download of gs://b/n#123`)
 * @returns TransientError for 408/429/5xx and network failures, PermanentError for other
 *   HTTP failures, and `err` itself when it is not a Cloud Storage failure at all
 */
export function mapGcsError(err: unknown, what: string): Error {
  const status = statusOf(err);
  const code = (err as { code?: unknown })?.code;
  const detail = _firstLine(
    err instanceof Error ? err.message : String((err as { message?: unknown })?.message),
  );
  if (
    (status !== undefined && TRANSIENT_HTTP_STATUSES.includes(status)) ||
    TRANSIENT_NETWORK_CODES.includes(String(code))
  ) {
    const retryAfter = Number(
      (err as { response?: { headers?: Record<string, unknown> } })?.response?.headers?.['retry-after'],
    );
    return new TransientError(
      'STORAGE_UNAVAILABLE',
      `Cloud Storage ${what} failed transiently (${status ? `HTTP ${status}` : String(code)}): ${detail}`,
      {
        cause: err,
        ...(status ? { status } : {}),
        ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      },
    );
  }
  if (status === 401 || status === 403) {
    return new PermanentError(
      'STORAGE_PERMISSION_DENIED',
      `Cloud Storage refused the ${what} (HTTP ${status}): ${detail}. Grant the service account access to the bucket (e.g. roles/storage.objectAdmin).`,
      { cause: err, details: { status } },
    );
  }
  if (status !== undefined) {
    return new PermanentError('STORAGE_FAILED', `Cloud Storage ${what} failed (HTTP ${status}): ${detail}`, {
      cause: err,
      details: { status },
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

function _firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
