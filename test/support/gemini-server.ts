/**
 * A protocol-level stand-in for the Gemini API and Vertex AI `generateContent` endpoints, on
 * 127.0.0.1. The real `@google/genai` SDK talks to it through `GOOGLE_GEMINI_BASE_URL` /
 * `GOOGLE_VERTEX_BASE_URL` (or `httpOptions.baseUrl`). It validates bodies like the service, answers
 * with real images (see `renderEdit`), and can be told to fail in every documented way.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GeminiFault, seededRandom, TRANSIENT_FAULTS } from './gemini-server/faults.js';
import {
  type GeminiRoute,
  type GoogleErrorReply,
  googleError,
  matchRoute,
  quotaExceeded,
  retryInfo,
  SERVED_MODELS,
} from './gemini-server/protocol.js';
import { renderEdit, renderThought, usageFor } from './gemini-server/render.js';
import { type ValidRequest, validateRequest } from './gemini-server/validate.js';

export { fault, type GeminiFault, seededRandom } from './gemini-server/faults.js';

/** One request the server received. */
export interface GeminiServerCall {
  path: string;
  backend?: GeminiRoute['backend'] | undefined;
  model?: string | undefined;
  project?: string | undefined;
  location?: string | undefined;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  /** Images in the order received, decoded (data kept for pixel checks). */
  images: Array<{ mimeType: string; bytes: number; width: number; height: number; data: Buffer }>;
  prompt?: string | undefined;
  generationConfig?: Record<string, unknown> | undefined;
  /** What the server answered: `ok`, a fault kind, `quota`, or `http <status>` for a validation reply. */
  reply: string;
  status?: number | undefined;
}

/** Options of {@link startGeminiServer}. */
export interface GeminiServerOptions {
  /** When set, any other `x-goog-api-key` is refused (400 API_KEY_INVALID, as Google does). */
  apiKey?: string | undefined;
  /** Clock of the per-minute quota. */
  now?: (() => number) | undefined;
}

/** A running server. */
export interface GeminiServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  calls: GeminiServerCall[];
  /** Queues `fault` for the next `times` calls (after those already queued). */
  inject(fault: GeminiFault, times?: number): void;
  /** Queues one fault per call, in order. */
  script(...faults: GeminiFault[]): void;
  /** Answers a `rate` share of unscripted calls with a transient fault drawn by a seeded PRNG. */
  setFaultRate(options: { rate: number; seed: number; faults?: readonly GeminiFault[] } | undefined): void;
  /** Answers 429 RESOURCE_EXHAUSTED (RetryInfo + Retry-After) beyond `perMinute` calls in a rolling minute. */
  setQuota(options: { perMinute: number } | undefined): void;
  /** Forgets calls, queued faults, the fault rate and the quota. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the server on a free port of 127.0.0.1.
 * @example
 * const server = await startGeminiServer();
 * server.inject(fault.rateLimited('2s'));
 * const env = { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: server.url };
 */
export async function startGeminiServer(options: GeminiServerOptions = {}): Promise<GeminiServer> {
  const now = options.now ?? Date.now;
  const calls: GeminiServerCall[] = [];
  let queue: GeminiFault[] = [];
  let rate: { rate: number; draw: () => number; faults: readonly GeminiFault[] } | undefined;
  let quota: { perMinute: number; accepted: number[] } | undefined;
  let served = 0;

  const nextFault = (): GeminiFault => {
    const scripted = queue.shift();
    if (scripted) return scripted;
    if (rate && rate.draw() < rate.rate) {
      return rate.faults[Math.floor(rate.draw() * rate.faults.length)] ?? { kind: 'ok' };
    }
    return { kind: 'ok' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await _readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = matchRoute(url.pathname);
    const call: GeminiServerCall = {
      path: url.pathname,
      headers: req.headers,
      body: _json(raw),
      images: [],
      reply: '',
    };
    calls.push(call);
    const answer = (reply: GoogleErrorReply, label = `http ${reply.httpStatus}`) => {
      call.reply = label;
      call.status = reply.httpStatus;
      _send(res, reply.httpStatus, reply.body, reply.headers);
    };
    if (req.method !== 'POST' || !route) {
      return answer(googleError(404, `Method not found: ${req.method} ${url.pathname}`));
    }
    Object.assign(call, route);
    const denied = _auth(req, url, route, options.apiKey);
    if (denied) return answer(denied);
    if (!SERVED_MODELS[route.model]) {
      return answer(
        googleError(
          404,
          `models/${route.model} is not found for API version ${route.backend === 'vertex' ? 'v1beta1' : 'v1beta'}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        ),
      );
    }
    const valid = await validateRequest(raw, route);
    if ('httpStatus' in valid) return answer(valid);
    call.images = valid.images.map(({ mimeType, bytes, width, height, data }) => ({
      mimeType,
      bytes,
      width,
      height,
      data,
    }));
    call.prompt = valid.text;
    call.generationConfig = valid.generationConfig;
    if (quota) {
      const t = now();
      quota.accepted = quota.accepted.filter((at) => t - at < 60_000);
      if (quota.accepted.length >= quota.perMinute) {
        const wait = Math.max(1, Math.ceil((60_000 - (t - (quota.accepted[0] ?? t))) / 1000));
        return answer(quotaExceeded(wait, quota.perMinute, route.model), 'quota');
      }
      quota.accepted.push(t);
    }
    const f = nextFault();
    call.reply = f.kind;
    if (f.delayMs) await sleep(f.delayMs);
    if (res.destroyed || req.socket.destroyed) return;
    served += 1;
    await _reply(f, { req, res, route, request: valid, call, n: served });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) _send(res, 500, googleError(500, `test server failure: ${String(err)}`).body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    inject(f, times = 1) {
      for (let i = 0; i < times; i++) queue.push(f);
    },
    script(...faults) {
      queue.push(...faults);
    },
    setFaultRate(o) {
      rate = o && { rate: o.rate, draw: seededRandom(o.seed), faults: o.faults ?? TRANSIENT_FAULTS };
    },
    setQuota(o) {
      quota = o && { perMinute: o.perMinute, accepted: [] };
    },
    reset() {
      calls.length = 0;
      queue = [];
      rate = undefined;
      quota = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── internal ──────────────────────────────────────────────────────────────

interface ReplyContext {
  req: IncomingMessage;
  res: ServerResponse;
  route: GeminiRoute;
  request: ValidRequest;
  call: GeminiServerCall;
  n: number;
}

async function _reply(f: GeminiFault, ctx: ReplyContext): Promise<void> {
  const { res, route, request, call } = ctx;
  const model = route.model;
  const done = (body: unknown) => {
    call.status = 200;
    _send(res, 200, body);
  };
  switch (f.kind) {
    case 'error': {
      const details = f.retryDelay ? [retryInfo(f.retryDelay)] : undefined;
      const reply = googleError(f.status, f.message, details);
      call.status = f.status;
      const headers = f.retryAfterSeconds ? { 'retry-after': String(f.retryAfterSeconds) } : undefined;
      return _send(res, f.status, reply.body, headers);
    }
    case 'non-json-error':
      call.status = f.status;
      res.writeHead(f.status, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(f.body ?? `<html><body><h1>${f.status}</h1>That’s an error.</body></html>`);
      return;
    case 'drop':
      ctx.req.socket.destroy();
      return;
    case 'malformed-json':
      call.status = 200;
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end('{"candidates": [{"content": {"parts": [{"inlineData": ');
      return;
    case 'blocked':
      return done({
        promptFeedback: { blockReason: f.reason, ...(f.message ? { blockReasonMessage: f.message } : {}) },
        usageMetadata: { promptTokenCount: 300, totalTokenCount: 300 },
        modelVersion: model,
        responseId: `resp-${ctx.n}`,
      });
    case 'no-parts':
      return done(_envelope(ctx, { role: 'model' }, f.finishReason ?? 'SAFETY'));
    case 'text-only':
      return done(
        _envelope(ctx, { role: 'model', parts: [{ text: f.text ?? 'I cannot edit this image.' }] }, 'STOP'),
      );
    case 'bad-image': {
      const data = Buffer.from('this is not an image, whatever the mime type says').toString('base64');
      return done(
        _envelope(ctx, { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data } }] }, 'STOP'),
      );
    }
    default:
      break;
  }
  const out = await renderEdit(request, model);
  const parts: unknown[] = [];
  if (f.kind === 'thoughts') {
    const thought = (await renderThought(out.width, out.height)).toString('base64');
    parts.push({ text: 'Considering the composition.', thought: true });
    for (let i = 0; i < (f.count ?? 2); i++)
      parts.push({ inlineData: { mimeType: 'image/png', data: thought }, thought: true });
  }
  const text = f.kind === 'finish' ? (f.text ?? '') : 'Here is the edited image.';
  if (text) parts.push({ text });
  const withImage = f.kind !== 'finish' || f.image === true;
  if (withImage) {
    parts.push({
      inlineData: { mimeType: 'image/png', data: out.data.toString('base64') },
      thoughtSignature: `sig-${ctx.n}`,
    });
  }
  const finishReason = f.kind === 'finish' ? f.finishReason : 'STOP';
  return done(_envelope(ctx, { role: 'model', parts }, finishReason));
}

function _envelope(ctx: ReplyContext, content: unknown, finishReason: string) {
  return {
    candidates: [{ content, finishReason, index: 0 }],
    usageMetadata: usageFor(ctx.request, ctx.route.model),
    modelVersion: ctx.route.model,
    responseId: `resp-${ctx.n}`,
  };
}

function _auth(
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

async function _readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function _json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function _send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(text);
}
