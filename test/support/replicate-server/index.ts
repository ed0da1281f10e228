import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_MODELS, type FakeModel, validateInput } from './models.js';
import {
  advance,
  end,
  type FakePrediction,
  isTerminal,
  newPrediction,
  type PredictionScript,
  toJson,
} from './predictions.js';

export type { PredictionScript } from './predictions.js';

/**
 * A Replicate-protocol test server on 127.0.0.1: create (models and versions endpoints) with
 * `Prefer: wait` and `Cancel-After`, poll, cancel, the Files API, output files served from its own
 * expiring URLs, the real API's error bodies, and failure injection.
 */

/** Options of {@link startReplicateServer}. */
export interface ReplicateServerOptions {
  /** The only token accepted; default `r8_test_token`. */
  token?: string;
  /** Multiplies `Prefer: wait` holds and `Cancel-After` deadlines (0.01 turns 60 s into 600 ms); default 1. */
  timeScale?: number;
  /** Lifetime of output files; default one hour. */
  outputTtlMs?: number;
  /** End predictions at their `Cancel-After` deadline; default true. */
  enforceCancelAfter?: boolean;
}

/** A request the server received. */
export interface RecordedCall {
  route: Route;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
}

export type Route = 'create' | 'poll' | 'cancel' | 'upload' | 'file' | 'download' | 'other';

/** A canned answer (or a dropped connection) for the next calls of a route. */
export interface Injection {
  route: Route;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection instead of answering; on `create` the prediction is created first. */
  network?: boolean;
  /** How many calls it applies to; default 1. */
  times?: number;
}

/** A running server. */
export interface ReplicateServer {
  /** API base URL, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  token: string;
  calls: RecordedCall[];
  predictions: Map<string, FakePrediction>;
  /** Scripts the next created predictions, in order (then they succeed at once). */
  script(...scripts: PredictionScript[]): void;
  inject(injection: Injection): void;
  /** Expires every output file now. */
  expireOutputs(): void;
  close(): Promise<void>;
}

/** Error bodies of the real API. */
export const ERROR_BODIES = {
  unauthenticated: {
    title: 'Unauthenticated',
    detail: 'You did not pass a valid authentication token',
    status: 401,
  },
  notFound: { title: 'Not found', detail: 'The requested resource could not be found.', status: 404 },
  throttled: (seconds: number) => ({
    title: 'Request was throttled.',
    detail: `Request was throttled. Your rate limit resets in ~${seconds}s.`,
    status: 429,
  }),
  serverError: { title: 'Internal Server Error', detail: 'Internal server error', status: 500 },
  invalid: (fields: { field: string; description: string }[]) => ({
    title: 'Input validation failed',
    detail: fields.map((f) => `- ${f.field}: ${f.description}`).join('\n'),
    status: 422,
    invalid_fields: fields.map((f) => ({ type: 'invalid', ...f })),
  }),
};

/**
 * @param options token, time scale, output lifetime
 * @returns the running server; call `close()` when done
 */
export async function startReplicateServer(options: ReplicateServerOptions = {}): Promise<ReplicateServer> {
  const token = options.token ?? 'r8_test_token';
  const scale = options.timeScale ?? 1;
  const calls: RecordedCall[] = [];
  const predictions = new Map<string, FakePrediction>();
  const files = new Map<string, { data: Buffer; type: string }>();
  const scripts: PredictionScript[] = [];
  const injections: Injection[] = [];
  let base = '';
  const context = () => ({
    outputBase: `${base.replace(/\/v1$/, '')}/delivery`,
    outputTtlMs: options.outputTtlMs ?? 3_600_000,
    enforceCancelAfter: options.enforceCancelAfter ?? true,
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ...ERROR_BODIES.serverError, detail: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routeOf(req.method ?? 'GET', path);
    const call: RecordedCall = { route, method: req.method ?? 'GET', path, headers: flat(req) };
    if (raw.length && String(req.headers['content-type']).includes('json')) call.body = safeJson(raw);
    calls.push(call);
    if (route !== 'download' && req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, ERROR_BODIES.unauthenticated);
    }
    const injected = takeInjection(route);
    if (injected && !injected.network)
      return send(res, injected.status ?? 500, injected.body ?? {}, injected.headers);
    if (route === 'create') return create(req, res, call, injected);
    if (injected?.network) return void req.socket.destroy();
    if (route === 'poll' || route === 'cancel') {
      const p = predictions.get(path.split('/')[3] ?? '');
      if (!p) return send(res, 404, ERROR_BODIES.notFound);
      if (route === 'poll') p.polls++;
      else if (!isTerminal(p)) end(p, 'canceled');
      await advance(p, context());
      return send(res, 200, toJson(p, base));
    }
    if (route === 'upload') return upload(res, req, raw);
    if (route === 'file') {
      const id = path.split('/')[3] ?? '';
      const file = files.get(id);
      if (!file) return send(res, 404, ERROR_BODIES.notFound);
      return send(res, 200, fileJson(id, file));
    }
    if (route === 'download') return download(res, path);
    send(res, 404, ERROR_BODIES.notFound);
  }

  async function create(
    req: IncomingMessage,
    res: ServerResponse,
    call: RecordedCall,
    injected: Injection | undefined,
  ): Promise<void> {
    const body = call.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object')
      return send(res, 400, { title: 'Bad request', detail: 'Invalid JSON body', status: 400 });
    const modelPath = call.path.match(/^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/)?.[1];
    const allowed = modelPath
      ? ['input', 'webhook', 'webhook_events_filter', 'stream']
      : ['version', 'input', 'webhook', 'webhook_events_filter'];
    const extraKeys = Object.keys(body).filter((k) => !allowed.includes(k));
    if (extraKeys.length) {
      return send(
        res,
        422,
        ERROR_BODIES.invalid(
          extraKeys.map((k) => ({ field: k, description: `Additional property ${k} is not allowed` })),
        ),
      );
    }
    let model: FakeModel | undefined;
    let version: string | undefined;
    if (modelPath) {
      model = FAKE_MODELS.get(modelPath);
      if (!model) return send(res, 404, ERROR_BODIES.notFound);
    } else {
      version = String(body.version ?? '')
        .split(':')
        .pop();
      model = [...FAKE_MODELS.values()].find((m) => version && m.versions.includes(version));
      if (!model)
        return send(
          res,
          422,
          ERROR_BODIES.invalid([{ field: 'version', description: 'Invalid version or not permitted' }]),
        );
    }
    const input = (body.input ?? {}) as Record<string, unknown>;
    const problems = validateInput(model, input);
    const images = await resolveImages(model, input, problems);
    if (problems.length) return send(res, 422, ERROR_BODIES.invalid(problems));
    const wait = parseWait(req.headers.prefer);
    if (wait === 'invalid')
      return send(
        res,
        422,
        ERROR_BODIES.invalid([
          { field: 'Prefer', description: 'Does not match pattern ^wait(=([1-9]|[1-9][0-9]|60))?$' },
        ]),
      );
    const cancelAfter = parseDuration(req.headers['cancel-after']);
    const p = newPrediction({
      model,
      version,
      input,
      images,
      script: scripts.shift() ?? {},
      createdAt: Date.now(),
      cancelAt: cancelAfter === undefined ? undefined : Date.now() + cancelAfter * scale,
    });
    predictions.set(p.id, p);
    await advance(p, context());
    if (wait !== undefined) {
      const until = Date.now() + wait * 1000 * scale;
      while (!isTerminal(p) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
        await advance(p, context());
      }
    }
    if (injected?.network) return void req.socket.destroy();
    send(res, isTerminal(p) ? 201 : 202, toJson(p, base), { location: `${base}/predictions/${p.id}` });
  }

  async function resolveImages(
    model: FakeModel,
    input: Record<string, unknown>,
    problems: { type: string; field: string; description: string }[],
  ): Promise<Buffer[]> {
    const value = input[model.imageField];
    const uris = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const images: Buffer[] = [];
    for (const uri of uris) {
      const data = typeof uri === 'string' ? decodeUri(uri) : undefined;
      if (data) images.push(data);
      else
        problems.push({
          type: 'invalid',
          field: `input.${model.imageField}`,
          description: 'could not fetch the file at the given URI',
        });
    }
    return images;
  }

  function decodeUri(uri: string): Buffer | undefined {
    const data = uri.match(/^data:[^;,]+;base64,(.*)$/);
    if (data) return Buffer.from(data[1] ?? '', 'base64');
    const file = uri.startsWith(`${base}/files/`) ? files.get(uri.slice(`${base}/files/`.length)) : undefined;
    return file?.data;
  }

  async function upload(res: ServerResponse, req: IncomingMessage, raw: Buffer): Promise<void> {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': String(req.headers['content-type']) },
    })
      .formData()
      .catch(() => undefined);
    const content = form?.get('content');
    if (!(content instanceof Blob)) {
      return send(res, 422, ERROR_BODIES.invalid([{ field: 'content', description: 'content is required' }]));
    }
    const id = randomBytes(8).toString('hex');
    files.set(id, {
      data: Buffer.from(await content.arrayBuffer()),
      type: content.type || 'application/octet-stream',
    });
    const file = files.get(id);
    if (file) send(res, 201, fileJson(id, file));
  }

  function fileJson(id: string, file: { data: Buffer; type: string }): Record<string, unknown> {
    return {
      id,
      name: id,
      content_type: file.type,
      size: file.data.length,
      metadata: {},
      urls: { get: `${base}/files/${id}` },
    };
  }

  async function download(res: ServerResponse, path: string): Promise<void> {
    const now = Date.now();
    for (const p of predictions.values()) {
      const out = p.outputs.find((o) => new URL(o.url).pathname === path);
      if (!out) continue;
      if (now >= out.expiresAt || !out.file)
        return send(res, 404, 'Not Found', { 'content-type': 'text/plain' });
      res.writeHead(200, { 'content-type': out.file.mimeType, 'content-length': out.file.data.length });
      return void res.end(out.file.data);
    }
    send(res, 404, 'Not Found', { 'content-type': 'text/plain' });
  }

  function takeInjection(route: Route): Injection | undefined {
    const i = injections.findIndex((x) => x.route === route);
    const found = injections[i];
    if (!found) return undefined;
    found.times = (found.times ?? 1) - 1;
    if (found.times <= 0) injections.splice(i, 1);
    return found;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url: base,
    token,
    calls,
    predictions,
    script: (...s) => void scripts.push(...s),
    inject: (injection) => void injections.push({ ...injection }),
    expireOutputs: () => {
      for (const p of predictions.values()) for (const o of p.outputs) o.expiresAt = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ─── internals ────────────────────────────────────────────────────────────────

function routeOf(method: string, path: string): Route {
  if (
    method === 'POST' &&
    (path === '/v1/predictions' || /^\/v1\/models\/[^/]+\/[^/]+\/predictions$/.test(path))
  )
    return 'create';
  if (method === 'GET' && /^\/v1\/predictions\/[^/]+$/.test(path)) return 'poll';
  if (method === 'POST' && /^\/v1\/predictions\/[^/]+\/cancel$/.test(path)) return 'cancel';
  if (method === 'POST' && path === '/v1/files') return 'upload';
  if (method === 'GET' && /^\/v1\/files\/[^/]+$/.test(path)) return 'file';
  if (method === 'GET' && path.startsWith('/delivery/')) return 'download';
  return 'other';
}

function parseWait(header: string | string[] | undefined): number | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const m = String(header).match(/^wait(=([1-9]|[1-9][0-9]|60))?$/);
  // The OpenAPI pattern alone would let 61–99 through; the documentation says 1–60.
  if (!m || Number(m[2] ?? 60) > 60) return 'invalid';
  return m[2] ? Number(m[2]) : 60;
}

/** `Cancel-After` as milliseconds: `90s`, `1m`, `1h`, `500ms`. */
function parseDuration(header: string | string[] | undefined): number | undefined {
  const m = String(header ?? '').match(/^(\d+)(ms|s|m|h)$/);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function flat(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
  );
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}
