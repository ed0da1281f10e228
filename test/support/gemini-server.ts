/**
 * A protocol-level stand-in for the Gemini API and Vertex AI `generateContent` endpoints, on
 * 127.0.0.1. The real `@google/genai` SDK talks to it through `GOOGLE_GEMINI_BASE_URL` /
 * `GOOGLE_VERTEX_BASE_URL` (or `httpOptions.baseUrl`). It validates bodies like the service, answers
 * with real images (see `renderEdit`), and can be told to fail in every documented way.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BatchControl, createBatchService } from './gemini-server/batches.js';
import { type GeminiFault, seededRandom, TRANSIENT_FAULTS } from './gemini-server/faults.js';
import { createFileService, type FileControl } from './gemini-server/files.js';
import {
  checkAuth,
  type GeminiRoute,
  type GoogleErrorReply,
  googleError,
  matchRoute,
  quotaExceeded,
  SERVED_MODELS,
} from './gemini-server/protocol.js';
import { replyWith, sendJson } from './gemini-server/reply.js';
import { validateRequest } from './gemini-server/validate.js';

export { fault, type GeminiFault, quotaReply, seededRandom } from './gemini-server/faults.js';

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
  /** Answers 429 RESOURCE_EXHAUSTED (QuotaFailure, Help, RetryInfo) beyond `perMinute` calls in a rolling minute. */
  setQuota(options: { perMinute: number } | undefined): void;
  /** Batch Mode: the batches created, their timing and failure injection (gemini-server/batches.ts). */
  batches: BatchControl;
  /** The Files API: uploaded and generated files, failure injection (gemini-server/files.ts). */
  files: FileControl;
  /** Forgets calls, queued faults, the fault rate, the quota, the batches and the files. */
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
  const fileService = createFileService({ now, apiKey: options.apiKey });
  const batchService = createBatchService({ now, apiKey: options.apiKey, files: fileService });

  const nextFault = (): GeminiFault => {
    const scripted = queue.shift();
    if (scripted) return scripted;
    if (rate && rate.draw() < rate.rate) {
      return rate.faults[Math.floor(rate.draw() * rate.faults.length)] ?? { kind: 'ok' };
    }
    return { kind: 'ok' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const bytes = await _readBody(req);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = matchRoute(url.pathname);
    const call: GeminiServerCall = {
      path: url.pathname,
      headers: req.headers,
      // An upload chunk is bytes, not JSON: recorded by size only.
      body: url.searchParams.has('upload_id') ? `(${bytes.length} bytes)` : _json(raw),
      images: [],
      reply: '',
    };
    calls.push(call);
    const answer = (reply: GoogleErrorReply, label = `http ${reply.httpStatus}`) => {
      call.reply = label;
      call.status = reply.httpStatus;
      sendJson(res, reply.httpStatus, reply.body, reply.headers);
    };
    if (await fileService.handle(req, res, url, bytes)) {
      call.status = res.statusCode;
      call.reply = 'file';
      return;
    }
    if (await batchService.handle(req, res, url, raw)) {
      call.status = res.statusCode;
      call.reply = 'batch';
      return;
    }
    if (req.method !== 'POST' || !route) {
      return answer(googleError(404, `Method not found: ${req.method} ${url.pathname}`));
    }
    Object.assign(call, route);
    const denied = checkAuth(req, url, route, options.apiKey);
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
        const waitMs = Math.max(1, 60_000 - (t - (quota.accepted[0] ?? t)));
        return answer(quotaExceeded(`${(waitMs / 1000).toFixed(3)}s`, quota.perMinute, route.model), 'quota');
      }
      quota.accepted.push(t);
    }
    const f = nextFault();
    call.reply = f.kind;
    if (f.delayMs) await sleep(f.delayMs);
    if (res.destroyed || req.socket.destroyed) return;
    served += 1;
    await replyWith(f, { req, res, route, request: valid, call, n: served });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, googleError(500, `test server failure: ${String(err)}`).body);
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
    batches: batchService.control,
    files: fileService.control,
    reset() {
      batchService.control.reset();
      fileService.control.reset();
      calls.length = 0;
      served = 0;
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

async function _readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function _json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
