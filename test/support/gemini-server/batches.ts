import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BATCH_EXPIRY_MS,
  type BatchRestState,
  batchState,
  type MemberFault,
  renderResponses,
  type TestBatch,
} from './batch-model.js';
import type { FileService } from './files.js';
import { checkAuth, type GoogleErrorReply, googleError, SERVED_MODELS } from './protocol.js';
import { sendJson } from './reply.js';
import { validateRequest } from './validate.js';

export { BATCH_EXPIRY_MS, type MemberFault } from './batch-model.js';

/**
 * Gemini Batch Mode on the Developer API, as `@google/genai` 2.32.0 calls it
 * (shared/reference/gemini-batch.md): `POST /v1beta/models/{model}:batchGenerateContent` with
 * inline requests, `GET /v1beta/batches/{id}`, `GET /v1beta/batches` (paged; no `nextPageToken`
 * on the last page), `POST /v1beta/batches/{id}:cancel` and `DELETE /v1beta/batches/{id}`.
 * inline requests or `inputConfig.fileName` (a JSONL file uploaded through the Files API, one
 * `{"key", "request"}` per line). Replies are Operation-shaped; a file-input batch answers with
 * `output.responsesFile`, a generated JSONL file of `{"key", "response"}` or `{"key", "error"}`
 * lines, downloaded through the Files API.
 */

/** The service takes inline batch requests up to 20 MB in total (gemini-batch.md, "Size"). */
export const INLINE_BATCH_LIMIT_BYTES = 20 * 1024 * 1024;

/** What tests can tell the batch service. */
export interface BatchControl {
  /** All batches ever created (deleted ones are removed). */
  readonly batches: ReadonlyMap<string, TestBatch>;
  /** How long a normal batch stays PENDING, then RUNNING (defaults 60 s and 120 s). */
  timing: { pendingMs: number; runningMs: number };
  /** The request with this key (metadata.key) answers with `fault` in whichever batch holds it. */
  failMember(key: string, fault: MemberFault): void;
  /** The next created batch stays PENDING until it expires after 48 h. */
  stayPendingNext(): void;
  /** The next create makes the batch, then drops the connection without answering. */
  loseNextCreateAnswer(): void;
  /** Creates (`POST …:batchGenerateContent`) received, answered or not. */
  readonly creates: number;
  reset(): void;
}

/** The batch part of the Gemini test server. */
export interface BatchService {
  control: BatchControl;
  /** @returns true when the request was a batch route (and was answered) */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<boolean>;
}

const CREATE_PATH = /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/;
const BATCH_PATH = /^\/v1beta\/batches\/([^/:]+)(:cancel)?$/;

/**
 * @param options.now the controllable clock; `apiKey` as for the interactive server
 */
export function createBatchService(options: {
  now: () => number;
  apiKey?: string | undefined;
  files: FileService;
}): BatchService {
  const batches = new Map<string, TestBatch>();
  const memberFaults = new Map<string, MemberFault>();
  let stayPending = 0;
  let loseAnswer = 0;
  let creates = 0;
  let serial = 0;
  const timing = { pendingMs: 60_000, runningMs: 120_000 };

  const operation = async (b: TestBatch) => {
    const state = batchState(b, options.now(), timing);
    const finished = state !== 'PENDING' && state !== 'RUNNING';
    if (state === 'SUCCEEDED') b.responses ??= await renderResponses(b, () => ++serial);
    const responsesFile = `files/batch-${b.id}`;
    if (state === 'SUCCEEDED' && b.input === 'file' && !options.files.get(responsesFile)) {
      const lines = (b.responses ?? []).map((r, i) => {
        const { metadata: _, ...answer } = r as { metadata?: unknown };
        return JSON.stringify({ key: b.requests[i]?.key, ...answer });
      });
      options.files.putGenerated(responsesFile, Buffer.from(`${lines.join('\n')}\n`), 'application/jsonl');
    }
    const output =
      b.input === 'file' ? { responsesFile } : { inlinedResponses: { inlinedResponses: b.responses } };
    const failed = (b.responses ?? []).filter((r) => (r as { error?: unknown }).error).length;
    const metadata = {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
      model: `models/${b.model}`,
      displayName: b.displayName,
      createTime: new Date(b.createdAt).toISOString(),
      updateTime: new Date(options.now()).toISOString(),
      ...(finished ? { endTime: new Date(_endTime(b, state, timing)).toISOString() } : {}),
      batchStats: {
        requestCount: String(b.requests.length),
        ...(state === 'SUCCEEDED'
          ? { successfulRequestCount: String(b.requests.length - failed), failedRequestCount: String(failed) }
          : { pendingRequestCount: String(b.requests.length) }),
      },
      state: `BATCH_STATE_${state}`,
      name: `batches/${b.id}`,
      ...(state === 'SUCCEEDED' ? { output } : {}),
    };
    return { name: `batches/${b.id}`, metadata, ...(finished ? { done: true } : {}) };
  };

  const answer = (res: ServerResponse, reply: GoogleErrorReply) =>
    sendJson(res, reply.httpStatus, reply.body);

  const create = async (req: IncomingMessage, res: ServerResponse, model: string, raw: string) => {
    creates += 1;
    if (!SERVED_MODELS[model])
      return answer(
        res,
        googleError(
          404,
          `models/${model} is not found for API version v1beta, or is not supported for batchGenerateContent.`,
        ),
      );
    if (Buffer.byteLength(raw) > INLINE_BATCH_LIMIT_BYTES) {
      return answer(
        res,
        googleError(400, `Request payload size exceeds the limit: ${INLINE_BATCH_LIMIT_BYTES} bytes.`),
      );
    }
    const body = _json(raw) as { batch?: Record<string, unknown> } | undefined;
    const batch = body?.batch;
    if (!batch)
      return answer(res, googleError(400, '* BatchGenerateContentRequest.batch: batch is required'));
    if (typeof batch.displayName !== 'string' || batch.displayName === '') {
      return answer(res, googleError(400, '* GenerateContentBatch.display_name: display_name is required'));
    }
    const input = batch.inputConfig as { requests?: { requests?: unknown[] }; fileName?: string } | undefined;
    const items =
      input?.fileName !== undefined ? _fileItems(options.files, input.fileName) : input?.requests?.requests;
    if (items && 'httpStatus' in items) return answer(res, items);
    if (!Array.isArray(items) || items.length === 0) {
      return answer(res, googleError(400, '* GenerateContentBatch.input_config: requests must not be empty'));
    }
    const requests: TestBatch['requests'] = [];
    for (const [i, item] of (
      items as { key?: unknown; request?: unknown; metadata?: Record<string, unknown> }[]
    ).entries()) {
      const valid = await validateRequest(JSON.stringify(item.request ?? {}), {
        backend: 'gemini-api',
        model,
      });
      if ('httpStatus' in valid) {
        const e = valid.body.error as { message: string };
        return answer(res, googleError(valid.httpStatus, `requests[${i}]: ${e.message}`));
      }
      const metaKey = item.metadata?.key;
      const key = typeof item.key === 'string' ? item.key : typeof metaKey === 'string' ? metaKey : undefined;
      const fault = (key && memberFaults.get(key)) || { kind: 'ok' as const };
      requests.push({ key, metadata: item.metadata, request: valid, fault });
    }
    const id = createHash('sha256')
      .update(`${batch.displayName}:${creates}:${options.now()}`)
      .digest('hex')
      .slice(0, 20);
    const created: TestBatch = {
      id,
      displayName: batch.displayName,
      model,
      createdAt: options.now(),
      plan: stayPending > 0 ? 'stay-pending' : 'normal',
      requests,
      input: input?.fileName !== undefined ? 'file' : 'inline',
      inputBytes:
        input?.fileName !== undefined
          ? (options.files.get(input.fileName)?.data.length ?? 0)
          : Buffer.byteLength(raw),
    };
    if (stayPending > 0) stayPending -= 1;
    batches.set(id, created);
    if (loseAnswer > 0) {
      loseAnswer -= 1;
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, await operation(created));
  };

  const list = async (res: ServerResponse, url: URL) => {
    const pageSize = Math.min(Number(url.searchParams.get('pageSize') ?? 50) || 50, 1000);
    const start = Number(url.searchParams.get('pageToken') ?? 0) || 0;
    const all = [...batches.values()].sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
    const page = all.slice(start, start + pageSize);
    const operations = await Promise.all(page.map(operation));
    // No nextPageToken on the last page: an empty string makes the SDK's Pager loop forever.
    const next = start + pageSize < all.length ? { nextPageToken: String(start + pageSize) } : {};
    sendJson(res, 200, { operations, ...next });
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: string,
    created: RegExpExecArray | null,
    one: RegExpExecArray | null,
  ): Promise<void> => {
    const denied = checkAuth(req, url, { backend: 'gemini-api', model: '' }, options.apiKey);
    if (denied) return answer(res, denied);
    if (created && req.method === 'POST')
      return create(req, res, decodeURIComponent(created[1] as string), raw);
    if (url.pathname === '/v1beta/batches' && req.method === 'GET') return list(res, url);
    const batch = one ? batches.get(one[1] as string) : undefined;
    if (one && !batch) return answer(res, googleError(404, `Batch ${one[1]} not found.`));
    if (batch && one?.[2] === ':cancel' && req.method === 'POST') {
      const state = batchState(batch, options.now(), timing);
      if (state === 'PENDING' || state === 'RUNNING') batch.cancelledAt = options.now();
      return sendJson(res, 200, {});
    }
    if (batch && !one?.[2] && req.method === 'GET') return sendJson(res, 200, await operation(batch));
    if (batch && !one?.[2] && req.method === 'DELETE') {
      batches.delete(batch.id);
      return sendJson(res, 200, {});
    }
    return answer(res, googleError(404, `Method not found: ${req.method} ${url.pathname}`));
  };

  return {
    control: {
      batches,
      timing,
      failMember: (key, fault) => memberFaults.set(key, fault),
      stayPendingNext: () => {
        stayPending += 1;
      },
      loseNextCreateAnswer: () => {
        loseAnswer += 1;
      },
      get creates() {
        return creates;
      },
      reset() {
        batches.clear();
        memberFaults.clear();
        stayPending = 0;
        loseAnswer = 0;
        creates = 0;
      },
    },
    async handle(req, res, url, raw) {
      const created = CREATE_PATH.exec(url.pathname);
      const one = BATCH_PATH.exec(url.pathname);
      if (!created && !one && url.pathname !== '/v1beta/batches') return false;
      await route(req, res, url, raw, created, one);
      return true;
    },
  };
}

// ── internal ──────────────────────────────────────────────────────────────

function _endTime(
  b: TestBatch,
  state: BatchRestState,
  timing: { pendingMs: number; runningMs: number },
): number {
  if (state === 'CANCELLED') return b.cancelledAt ?? b.createdAt;
  if (state === 'EXPIRED') return b.createdAt + BATCH_EXPIRY_MS;
  return b.createdAt + timing.pendingMs + timing.runningMs;
}

/** The `{key, request}` lines of an uploaded JSONL file, or the error the service answers. */
function _fileItems(files: FileService, fileName: string): unknown[] | GoogleErrorReply {
  const file = files.get(fileName);
  if (!file)
    return googleError(400, `* GenerateContentBatch.input_config.file_name: ${fileName} does not exist.`);
  const items: unknown[] = [];
  for (const [i, line] of file.data.toString('utf8').split('\n').entries()) {
    if (line.trim() === '') continue;
    const item = _json(line) as { request?: unknown } | undefined;
    if (!item || typeof item !== 'object' || !item.request) {
      return googleError(400, `${fileName} line ${i + 1}: expected {"key": …, "request": {…}}`);
    }
    items.push(item);
  }
  return items;
}

function _json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
