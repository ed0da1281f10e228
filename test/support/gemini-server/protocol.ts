import type { IncomingMessage } from 'node:http';
import { quotaReply } from './faults.js';

/**
 * Wire-level facts of the Gemini `generateContent` protocol that the test server reproduces:
 * routes, Google's JSON error bodies, and the per-model limits the service enforces.
 */

/** A Google API error body: `{"error":{"code","message","status","details"}}`. */
export interface GoogleErrorReply {
  httpStatus: number;
  body: { error: { code: number; message: string; status: string; details?: unknown[] } };
  headers?: Record<string, string>;
}

const STATUS_BY_CODE: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_MESSAGE: Readonly<Record<number, string>> = {
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  502: 'Bad Gateway',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
  408: 'Request timed out.',
};

/**
 * Builds an error reply in Google's format.
 * @param code HTTP status (also `error.code`)
 * @param message `error.message`; a default for the status when omitted
 * @param details `error.details` (google.rpc.* objects)
 */
export function googleError(code: number, message?: string, details?: unknown[]): GoogleErrorReply {
  const error = {
    code,
    message: message ?? DEFAULT_MESSAGE[code] ?? `HTTP ${code}`,
    status: STATUS_BY_CODE[code] ?? (code >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION'),
    ...(details ? { details } : {}),
  };
  return { httpStatus: code, body: { error } };
}

/**
 * A 429 like the Gemini API sends when a per-minute quota is exceeded: QuotaFailure, Help and
 * RetryInfo in the details, the fractional delay in the message, and no Retry-After header.
 */
export function quotaExceeded(retryDelay: string, perMinute: number, model: string): GoogleErrorReply {
  const { message, details } = quotaReply({
    quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
    retryDelay,
    model,
    limit: perMinute,
  });
  return googleError(429, message, details);
}

/** Which service a path belongs to, and the ids in it. */
export interface GeminiRoute {
  backend: 'gemini-api' | 'vertex';
  model: string;
  project?: string | undefined;
  location?: string | undefined;
}

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;
const VERTEX_PATH =
  /^\/v1beta1\/(?:projects\/([^/]+)\/locations\/([^/]+)\/)?publishers\/google\/models\/([^/:]+):generateContent$/;

/**
 * Matches `POST /v1beta/models/{model}:generateContent` and the Vertex paths
 * `/v1beta1/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent`
 * (express mode drops `projects/…/locations/…`).
 */
export function matchRoute(pathname: string): GeminiRoute | undefined {
  const g = GEMINI_PATH.exec(pathname);
  if (g) return { backend: 'gemini-api', model: decodeURIComponent(g[1] as string) };
  const v = VERTEX_PATH.exec(pathname);
  if (v)
    return { backend: 'vertex', project: v[1], location: v[2], model: decodeURIComponent(v[3] as string) };
  return undefined;
}

/** The limits the service enforces, per model. */
export interface ServedModel {
  maxImages: number;
  imageSizes: readonly string[];
  aspectRatios: readonly string[];
  thinkingLevels: readonly string[];
  /** Output tokens of one image, by size. */
  imageTokens: Readonly<Record<string, number>>;
  thinks: boolean;
}

const TEN = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** The models the test server knows; anything else is 404 NOT_FOUND. */
export const SERVED_MODELS: Readonly<Record<string, ServedModel>> = {
  'gemini-3.1-flash-image': {
    maxImages: 14,
    imageSizes: ['512', '1K', '2K', '4K'],
    aspectRatios: [...TEN, '1:4', '4:1', '1:8', '8:1'],
    thinkingLevels: ['MINIMAL', 'HIGH'],
    imageTokens: { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 },
    thinks: true,
  },
  'gemini-3-pro-image': {
    maxImages: 14,
    imageSizes: ['1K', '2K', '4K'],
    aspectRatios: TEN,
    thinkingLevels: [],
    imageTokens: { '1K': 1120, '2K': 1120, '4K': 2000 },
    thinks: true,
  },
  'gemini-2.5-flash-image': {
    maxImages: 3,
    imageSizes: [],
    aspectRatios: TEN,
    thinkingLevels: [],
    imageTokens: { '1K': 1290 },
    thinks: false,
  },
};

/** Longest output side by `imageSize`. */
export const OUTPUT_SIDE: Readonly<Record<string, number>> = {
  '512': 512,
  '1K': 1024,
  '2K': 2048,
  '4K': 4096,
};

/**
 * Checks credentials like the services do: the Gemini API wants `x-goog-api-key` (403 without it,
 * 400 API_KEY_INVALID for a wrong one); Vertex wants a bearer token or an express-mode key (401).
 */
export function checkAuth(
  req: IncomingMessage,
  url: URL,
  route: GeminiRoute,
  apiKey?: string,
): GoogleErrorReply | undefined {
  const key =
    (req.headers['x-goog-api-key'] as string | undefined) ?? url.searchParams.get('key') ?? undefined;
  const bearer = /^Bearer \S+/i.test(req.headers.authorization ?? '');
  if (route.backend === 'vertex' && !key && !bearer) {
    return googleError(
      401,
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
  }
  if (route.backend === 'gemini-api' && !key) {
    return googleError(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  if (key && apiKey !== undefined && key !== apiKey) {
    return googleError(400, 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
      },
    ]);
  }
  return undefined;
}
