/**
 * A loopback server that answers `generateContent` with recorded replies, verbatim: the status and
 * JSON body of a fixture in `test/fixtures/gemini/` (our own images and wording in the structure the
 * live service was observed to send; see `test/fixtures/gemini/SOURCES.md`). Unlike the Gemini test
 * server it renders nothing and validates nothing but the route: it exists to show what the real
 * SDK and the engine make of the service's own shapes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../fixtures/index.js';

/** One recorded reply. */
export interface ReplayFixture {
  backend: 'gemini-api' | 'vertex';
  /** The model the reply came from; the request must name it. */
  model: string;
  status: number;
  body: unknown;
  headers?: Record<string, string> | undefined;
}

/** A request the replay server received. */
export interface ReplayCall {
  path: string;
  body: { generationConfig?: Record<string, unknown> } & Record<string, unknown>;
}

/** A running replay server. */
export interface ReplayServer {
  url: string;
  calls: ReplayCall[];
  /** Queues `fixture` for the next `times` calls. */
  serve(fixture: ReplayFixture, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

/** Reads `test/fixtures/gemini/<name>.json`. */
export function loadReplayFixture(name: string): ReplayFixture {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'gemini', `${name}.json`), 'utf8')) as ReplayFixture;
}

/** The path the SDK calls for a backend and model (Vertex in express mode: no project). */
export function replayPath(fixture: Pick<ReplayFixture, 'backend' | 'model'>): string {
  return fixture.backend === 'vertex'
    ? `/v1beta1/publishers/google/models/${fixture.model}:generateContent`
    : `/v1beta/models/${fixture.model}:generateContent`;
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startReplayServer(): Promise<ReplayServer> {
  const calls: ReplayCall[] = [];
  let queue: ReplayFixture[] = [];
  const server = createServer(async (req, res) => {
    const raw = await _read(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    calls.push({ path, body: _json(raw) });
    const next = queue.shift();
    // A call nobody queued, or to another model or backend, is a test bug: answer so it shows.
    const problem = !next
      ? 'no reply queued'
      : path !== replayPath(next)
        ? `expected ${replayPath(next)}`
        : '';
    if (!next || problem) {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`replay server: ${problem} for ${req.method} ${path}`);
      return;
    }
    res.writeHead(next.status, { 'content-type': 'application/json; charset=UTF-8', ...next.headers });
    res.end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    serve(fixture, times = 1) {
      for (let i = 0; i < times; i++) queue.push(fixture);
    },
    reset() {
      calls.length = 0;
      queue = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── internal ──────────────────────────────────────────────────────────────

async function _read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function _json(raw: string): ReplayCall['body'] {
  try {
    return JSON.parse(raw) as ReplayCall['body'];
  } catch {
    return {};
  }
}
