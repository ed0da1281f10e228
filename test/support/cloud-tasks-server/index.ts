/**
 * A protocol-level stand-in for Cloud Tasks v2, on 127.0.0.1: the REST (HTTP/JSON) surface that
 * `@google-cloud/tasks` speaks in its fallback transport (`CLOUD_TASKS_EMULATOR_HOST`), with
 * numeric enums and `$alt=json;enum-encoding=int`, plus real dispatch of HTTP tasks (see
 * `queue.ts`). Task names stay blocked for the dedup window after a task is deleted or done,
 * and a seeded share of dispatches can be duplicated (delivery is at least once).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../gemini-server/faults.js';
import { scaledClock, type TestClock } from './clock.js';
import { type DispatchRecord, type QueueSettings, type StoredTask, TestQueue } from './queue.js';

export { scaledClock, type TestClock } from './clock.js';
export type { DispatchRecord, QueueSettings } from './queue.js';

/** Options of {@link startCloudTasksServer}. */
export interface CloudTasksServerOptions {
  clock?: TestClock | undefined;
  /** How long a used task name stays blocked (default 24 h, what the REST reference promises). */
  dedupWindowMs?: number | undefined;
  /** Dispatch a `rate` share of attempts twice at once (seeded). */
  duplicates?: { rate: number; seed: number } | undefined;
}

/** A running server. */
export interface CloudTasksServer {
  /** `127.0.0.1:port`, for `CLOUD_TASKS_EMULATOR_HOST`. */
  host: string;
  clock: TestClock;
  /** Every dispatch made, in order. */
  dispatches: DispatchRecord[];
  /** Every create call: the task name and the answer (`created` or `exists`). */
  creates: Array<{ name: string; answer: 'created' | 'exists' }>;
  /** Creates (or replaces the settings of) a queue. */
  createQueue(name: string, settings?: Partial<QueueSettings>): void;
  /** Stops dispatching from a queue (tasks can still be created), like `PauseQueue`. */
  pauseQueue(name: string): void;
  /** Resumes dispatching, like `ResumeQueue`. */
  resumeQueue(name: string): void;
  /** Tasks waiting or in flight on a queue. */
  pending(queue: string): number;
  /** Tasks given up after their retry limits. */
  abandoned: string[];
  /** Resolves when no queue has a task left. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

const HTTP_METHODS = ['HTTP_METHOD_UNSPECIFIED', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const DEFAULT_SETTINGS: QueueSettings = {
  maxDispatchesPerSecond: 500,
  maxConcurrentDispatches: 1000,
  maxAttempts: 100,
  maxRetryDurationS: 0,
  minBackoffS: 0.1,
  maxBackoffS: 3600,
  maxDoublings: 16,
};
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

/**
 * Starts the server on a free port.
 * @example
 * const tasks = await startCloudTasksServer({ clock: scaledClock(20) });
 * tasks.createQueue('projects/p/locations/l/queues/nb2', { maxDispatchesPerSecond: 1 });
 */
export async function startCloudTasksServer(
  options: CloudTasksServerOptions = {},
): Promise<CloudTasksServer> {
  const clock = options.clock ?? scaledClock(1);
  const dedupMs = options.dedupWindowMs ?? 24 * 3600_000;
  const draw = options.duplicates ? seededRandom(options.duplicates.seed) : () => 1;
  const queues = new Map<string, TestQueue>();
  const blocked = new Map<string, number>();
  const dispatches: DispatchRecord[] = [];
  const creates: CloudTasksServer['creates'] = [];
  const abandoned: string[] = [];
  let waiters: Array<() => void> = [];
  let generated = 0;
  const host = {
    clock,
    log: dispatches,
    duplicate: () => draw() < (options.duplicates?.rate ?? 0),
    finished(task: StoredTask, outcome: 'succeeded' | 'abandoned') {
      blocked.set(task.name, clock.now() + dedupMs);
      if (outcome === 'abandoned') abandoned.push(task.name);
      if ([...queues.values()].every((q) => q.tasks.size === 0)) {
        for (const w of waiters) w();
        waiters = [];
      }
    },
  };

  const createTask = (parent: string, body: unknown): [number, unknown] => {
    const queue = queues.get(parent);
    if (!queue) return googleError(404, 'NOT_FOUND', `Queue does not exist: ${parent}`);
    const task = (body as { task?: Record<string, unknown> } | null)?.task;
    const http = task?.httpRequest as Record<string, unknown> | undefined;
    if (!task || !http) return googleError(400, 'INVALID_ARGUMENT', 'task.http_request is required');
    const url = String(http.url ?? '');
    if (!/^https?:\/\//.test(url) || url.length > 2083) {
      return googleError(400, 'INVALID_ARGUMENT', `HttpRequest.url must be an http(s) URL: "${url}"`);
    }
    const method =
      typeof http.httpMethod === 'number' ? HTTP_METHODS[http.httpMethod] : String(http.httpMethod ?? 'POST');
    if (!method || method === 'HTTP_METHOD_UNSPECIFIED') {
      return googleError(400, 'INVALID_ARGUMENT', `unknown http_method ${String(http.httpMethod)}`);
    }
    const bodyB64 = typeof http.body === 'string' ? http.body : '';
    if (bodyB64 && !['POST', 'PUT', 'PATCH'].includes(method)) {
      return googleError(400, 'INVALID_ARGUMENT', 'a body is only allowed with POST, PUT and PATCH');
    }
    const deadlineS = parseDuration(task.dispatchDeadline) ?? 600;
    if (deadlineS < 15 || deadlineS > 1800) {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        `dispatch_deadline must be within [15s, 30m], got ${deadlineS}s`,
      );
    }
    let name = typeof task.name === 'string' && task.name ? task.name : '';
    if (name) {
      const id = name.slice(`${parent}/tasks/`.length);
      if (!name.startsWith(`${parent}/tasks/`) || !TASK_ID.test(id)) {
        return googleError(400, 'INVALID_ARGUMENT', `Task name "${name}" is invalid under ${parent}`);
      }
      const until = blocked.get(name);
      if (queue.tasks.has(name) || (until !== undefined && until > clock.now())) {
        creates.push({ name, answer: 'exists' });
        return googleError(409, 'ALREADY_EXISTS', 'Requested entity already exists');
      }
    } else {
      generated += 1;
      name = `${parent}/tasks/${String(generated).padStart(20, '0')}`;
    }
    const oidc = http.oidcToken as { serviceAccountEmail?: string; audience?: string } | undefined;
    const now = clock.now();
    const stored: StoredTask = {
      name,
      url,
      method,
      headers: (http.headers as Record<string, string> | undefined) ?? {},
      body: Buffer.from(bodyB64, 'base64'),
      oidc: oidc?.serviceAccountEmail
        ? { serviceAccountEmail: oidc.serviceAccountEmail, audience: oidc.audience }
        : undefined,
      scheduleTime: Math.max(now, parseTime(task.scheduleTime) ?? now),
      createTime: now,
      dispatchDeadlineMs: deadlineS * 1000,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
      inFlight: false,
    };
    creates.push({ name, answer: 'created' });
    queue.add(stored);
    return [200, taskJson(stored)];
  };

  const route = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/v2\//, '');
    const raw = await readBody(req);
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
      }
    }
    const queueMatch = /^(projects\/[^/]+\/locations\/[^/]+\/queues\/[^/]+)(\/tasks(?:\/([^/]+))?)?$/.exec(
      path,
    );
    if (!queueMatch) return googleError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    const [, queueName, tasksPart, taskId] = queueMatch as unknown as [string, string, string?, string?];
    const queue = queues.get(queueName);
    if (!tasksPart && req.method === 'GET') {
      return queue
        ? [200, queueJson(queue)]
        : googleError(404, 'NOT_FOUND', `Queue does not exist: ${queueName}`);
    }
    if (tasksPart && !taskId && req.method === 'POST') return createTask(queueName, body);
    if (!queue) return googleError(404, 'NOT_FOUND', `Queue does not exist: ${queueName}`);
    if (tasksPart && !taskId && req.method === 'GET') {
      const pageSize = Math.min(1000, Number(url.searchParams.get('pageSize') ?? 1000) || 1000);
      return [200, { tasks: [...queue.tasks.values()].slice(0, pageSize).map(taskJson) }];
    }
    const name = `${queueName}/tasks/${taskId}`;
    const task = queue.tasks.get(name);
    if (taskId && req.method === 'GET') {
      return task
        ? [200, taskJson(task)]
        : googleError(404, 'NOT_FOUND', `The task no longer exists: ${name}`);
    }
    if (taskId && req.method === 'DELETE') {
      if (!task) return googleError(404, 'NOT_FOUND', `The task no longer exists: ${name}`);
      queue.remove(name);
      host.finished(task, 'succeeded');
      return [200, {}];
    }
    return googleError(405, 'UNIMPLEMENTED', `${req.method} ${url.pathname} is not implemented`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((err: unknown) => googleError(500, 'INTERNAL', `test server failure: ${String(err)}`))
      .then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    clock,
    dispatches,
    creates,
    abandoned,
    createQueue(name, settings = {}) {
      queues.set(name, new TestQueue(name, { ...DEFAULT_SETTINGS, ...settings }, host));
    },
    pauseQueue(name) {
      const q = queues.get(name);
      if (q) q.state = 'PAUSED';
    },
    resumeQueue(name) {
      const q = queues.get(name);
      if (!q) return;
      q.state = 'RUNNING';
      q.pump();
    },
    pending: (queue) => queues.get(queue)?.tasks.size ?? 0,
    drained: () =>
      [...queues.values()].every((q) => q.tasks.size === 0)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const q of queues.values()) q.state = 'PAUSED';
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── internal ──────────────────────────────────────────────────────────────

function googleError(code: number, status: string, message: string): [number, unknown] {
  return [code, { error: { code, message, status } }];
}

function taskJson(t: StoredTask) {
  return {
    name: t.name,
    httpRequest: {
      url: t.url,
      httpMethod: HTTP_METHODS.indexOf(t.method),
      headers: t.headers,
      ...(t.oidc ? { oidcToken: t.oidc } : {}),
    },
    scheduleTime: new Date(t.scheduleTime).toISOString(),
    createTime: new Date(t.createTime).toISOString(),
    dispatchDeadline: `${t.dispatchDeadlineMs / 1000}s`,
    dispatchCount: t.dispatchCount,
    responseCount: t.responseCount,
    view: 1,
  };
}

function queueJson(q: TestQueue) {
  const s = q.settings;
  return {
    name: q.name,
    rateLimits: {
      maxDispatchesPerSecond: s.maxDispatchesPerSecond,
      maxBurstSize: q.burst,
      maxConcurrentDispatches: s.maxConcurrentDispatches,
    },
    retryConfig: {
      maxAttempts: s.maxAttempts,
      maxRetryDuration: `${s.maxRetryDurationS}s`,
      minBackoff: `${s.minBackoffS}s`,
      maxBackoff: `${s.maxBackoffS}s`,
      maxDoublings: s.maxDoublings,
    },
    state: q.state === 'RUNNING' ? 1 : 2,
  };
}

function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'string' && /^\d+(\.\d+)?s$/.test(value)) return Number.parseFloat(value);
  return undefined;
}

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
