import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredObject } from './model.js';

/** How the server should misbehave for the next matching requests. */
export interface FailRule {
  /** HTTP status to answer with, or `reset` to destroy the connection. */
  status: number | 'reset';
  /** Only requests with this method (default: any). */
  method?: string | undefined;
  /** Only requests whose decoded path contains this text or matches this pattern. */
  path?: string | RegExp | undefined;
  /** Only requests for an object whose name contains this text or matches this pattern (the
   * name in the path, or the `name` parameter of an upload). */
  object?: string | RegExp | undefined;
  /** Do the work, then answer with the failure (a response lost on the way back). */
  afterApply?: boolean | undefined;
}

/** One request/response pair in the server log. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  baseUrl: string;
  /** Set when the request is to be answered with a failure after it has been applied. */
  failAfter?: FailRule | undefined;
}

const ERROR_TEXT: Record<number, { reason: string; message: string }> = {
  400: { reason: 'invalid', message: 'Invalid request.' },
  401: { reason: 'required', message: 'Anonymous caller does not have storage.objects.get access.' },
  403: {
    reason: 'forbidden',
    message:
      "caller does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
  },
  404: { reason: 'notFound', message: 'Not Found' },
  408: { reason: 'requestTimeout', message: 'Request timed out.' },
  412: {
    reason: 'conditionNotMet',
    message: 'At least one of the pre-conditions you specified did not hold.',
  },
  429: {
    reason: 'rateLimitExceeded',
    message:
      'The rate of change requests to the object exceeds the rate limit. Please reduce the rate of create, update, and delete requests.',
  },
  500: { reason: 'backendError', message: 'We encountered an internal error. Please try again.' },
  502: { reason: 'backendError', message: 'Bad Gateway' },
  503: { reason: 'backendError', message: 'We encountered an internal error. Please try again.' },
  504: { reason: 'backendError', message: 'Gateway Timeout' },
};

/** Google's JSON error body: `{"error":{"code","message","errors":[{message,domain,reason}]}}`. */
export function errorBody(status: number, message?: string, reason?: string): Record<string, unknown> {
  const known = ERROR_TEXT[status] ?? { reason: 'unknown', message: `HTTP ${status}` };
  const text = message ?? known.message;
  const item: Record<string, string> = { message: text, domain: 'global', reason: reason ?? known.reason };
  if (status === 412) Object.assign(item, { locationType: 'header', location: 'If-Match' });
  return { error: { code: status, message: text, errors: [item] } };
}

/** Answers with JSON (or an empty body when `body` is undefined), honouring `failAfter`. */
export function sendJson(
  ex: Exchange,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (ex.failAfter) {
    sendFailure(ex, ex.failAfter);
    return;
  }
  const text = body === undefined ? '' : JSON.stringify(body);
  ex.res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=UTF-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  ex.res.end(text);
}

/** Answers with Google's JSON error body. */
export function sendError(ex: Exchange, status: number, message?: string, reason?: string): void {
  sendJson({ ...ex, failAfter: undefined }, status, errorBody(status, message, reason));
}

/** Answers as the rule says: an error body with its status, or a reset connection. */
export function sendFailure(ex: Exchange, rule: FailRule): void {
  if (rule.status === 'reset') {
    ex.req.socket.destroy();
    return;
  }
  sendError(ex, rule.status);
}

/** `No such object: bucket/name`, as the JSON API words it. */
export function noSuchObject(bucket: string, name: string): string {
  return `No such object: ${bucket}/${name}`;
}

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses JSON metadata from a request body (empty → `{}`), or undefined when it is not JSON. */
export function parseJson(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One part of a `multipart/related` body. */
export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a `multipart/related; boundary=…` body into its parts. */
export function parseMultipart(body: Buffer, contentType: string): Part[] | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const first = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(first);
  if (pos < 0) return undefined;
  pos += first.length;
  const parts: Part[] = [];
  while (body.subarray(pos, pos + 2).toString() !== '--') {
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (headerEnd < 0 || next < 0) return undefined;
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: body.subarray(headerEnd + 4, next) });
    pos = next + delimiter.length;
  }
  return parts;
}

/** Which precondition in the query failed against the live object, if any. */
export function failedPrecondition(
  live: StoredObject | undefined,
  query: URLSearchParams,
): 'match' | 'notMatch' | undefined {
  const generationMatch = query.get('ifGenerationMatch');
  if (generationMatch !== null) {
    const holds = generationMatch === '0' ? live === undefined : live?.generation === generationMatch;
    if (!holds) return 'match';
  }
  const metagenerationMatch = query.get('ifMetagenerationMatch');
  if (metagenerationMatch !== null && live?.metageneration !== metagenerationMatch) return 'match';
  const generationNotMatch = query.get('ifGenerationNotMatch');
  if (generationNotMatch !== null) {
    const holds = generationNotMatch === '0' ? live !== undefined : live?.generation !== generationNotMatch;
    if (!holds) return 'notMatch';
  }
  const metagenerationNotMatch = query.get('ifMetagenerationNotMatch');
  if (metagenerationNotMatch !== null && live?.metageneration === metagenerationNotMatch) return 'notMatch';
  return undefined;
}
