import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Exchange, type FailRule, readBody, sendFailure } from './http.js';
import { JsonApi, notImplemented } from './json-api.js';
import { GcsModel, type ObjectFields, type StoredObject } from './model.js';
import { UploadHandler } from './uploads.js';

export type { FailRule } from './http.js';
export type { ObjectFields, StoredObject } from './model.js';

/** One request the server answered (logged when the response ends). */
export interface LoggedRequest {
  method: string;
  /** Decoded path, e.g. `/b/photos/o/in dir/é.png`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Response status; 0 when the connection was reset on purpose. */
  status: number;
}

/** Options of {@link startGcsServer}. */
export interface GcsServerOptions {
  /** Create a bucket on first use (default true); otherwise unknown buckets answer 404. */
  autoCreateBuckets?: boolean;
  /** Object versioning: overwritten generations stay readable by generation (default false). */
  versioning?: boolean;
}

/** A running GCS JSON-API test server. */
export interface GcsServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The value for `STORAGE_EMULATOR_HOST` (the client appends no `/storage/v1` to it). */
  host: string;
  /** Every answered request, oldest first. */
  requests: LoggedRequest[];
  /** Creates an empty bucket (needed only when auto-creation is off). */
  createBucket(bucket: string): void;
  /** Stores a new generation of an object, bypassing HTTP (and preconditions). */
  putObject(bucket: string, name: string, data: Buffer | string, fields?: ObjectFields): StoredObject;
  /** The live object, bypassing HTTP. */
  getObject(bucket: string, name: string): StoredObject | undefined;
  /** Live objects under a prefix in GCS listing order, bypassing HTTP. */
  listObjects(bucket: string, prefix?: string): StoredObject[];
  /** Deletes an object, bypassing HTTP. @returns whether it existed */
  deleteObject(bucket: string, name: string): boolean;
  /**
   * Answers the next `count` matching requests with `status` (Google's JSON error body)
   * or, for `reset`, by destroying the connection.
   */
  failNext(count: number, status: FailRule['status'], rule?: Omit<FailRule, 'status'>): void;
  /** Forgets failures not yet used up by {@link GcsServer.failNext}. */
  clearFailures(): void;
  /** Stops the server. */
  close(): Promise<void>;
}

const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/;
const OBJECT_PATH = /^\/(?:download\/)?(?:storage\/v1\/)?b\/([^/]+)\/o\/(.+)$/;
const LIST_PATH = /^\/(?:storage\/v1\/)?b\/([^/]+)\/o\/?$/;
const BUCKET_PATH = /^\/(?:storage\/v1\/)?b(?:\/([^/]+))?\/?$/;

/**
 * Starts a protocol-level Cloud Storage JSON API server on 127.0.0.1 that answers the
 * requests `@google-cloud/storage` makes: media, multipart and resumable uploads,
 * `alt=media` downloads, object metadata, listing, patch and delete, with
 * `generation` and `if(Meta)Generation(Not)Match` preconditions.
 * @example
 * const gcs = await startGcsServer();
 * process.env.STORAGE_EMULATOR_HOST = gcs.host;
 */
export async function startGcsServer(options: GcsServerOptions = {}): Promise<GcsServer> {
  const model = new GcsModel(options.autoCreateBuckets ?? true, options.versioning ?? false);
  const json = new JsonApi(model);
  const uploads = new UploadHandler(model);
  const requests: LoggedRequest[] = [];
  const rules: Array<{ rule: FailRule; remaining: number }> = [];
  let baseUrl = '';

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const rawPath = url.pathname;
    const path = _decode(rawPath);
    const ex: Exchange = { req, res, path, query: url.searchParams, baseUrl };
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      status: 0,
    };
    res.on('finish', () => requests.push({ ...entry, status: res.statusCode }));
    res.once('close', () => {
      if (!res.writableFinished) requests.push(entry);
    });
    const rule = _takeRule(rules, entry.method, path, _objectNameOf(rawPath, url.searchParams));
    if (rule && !rule.afterApply) {
      void readBody(req).then(() => sendFailure(ex, rule));
      return;
    }
    ex.failAfter = rule;
    _route(ex, rawPath, { json, uploads }).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    host: baseUrl,
    requests,
    createBucket: (bucket) => model.createBucket(bucket),
    putObject: (bucket, name, data, fields) => {
      model.createBucket(bucket);
      return model.put(bucket, name, Buffer.from(data), fields);
    },
    getObject: (bucket, name) => model.get(bucket, name),
    listObjects: (bucket, prefix) => model.list(bucket, prefix),
    deleteObject: (bucket, name) => model.buckets.get(bucket)?.delete(name) ?? false,
    failNext: (count, status, rule = {}) => {
      rules.push({ rule: { ...rule, status }, remaining: count });
    },
    clearFailures: () => {
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function _route(ex: Exchange, rawPath: string, api: { json: JsonApi; uploads: UploadHandler }) {
  let match = UPLOAD_PATH.exec(rawPath);
  if (match?.[1]) return api.uploads.handle(ex, _decode(match[1]));
  match = OBJECT_PATH.exec(rawPath);
  if (match?.[1] && match[2]) return api.json.object(ex, _decode(match[1]), _decode(match[2]));
  match = LIST_PATH.exec(rawPath);
  if (match?.[1]) return api.json.list(ex, _decode(match[1]));
  match = BUCKET_PATH.exec(rawPath);
  if (match) return api.json.bucket(ex, match[1] === undefined ? undefined : _decode(match[1]));
  await readBody(ex.req);
  notImplemented(ex);
}

function _takeRule(
  rules: Array<{ rule: FailRule; remaining: number }>,
  method: string,
  path: string,
  objectName: string | undefined,
) {
  const matches = (pattern: string | RegExp | undefined, text: string | undefined) =>
    !pattern ||
    (text !== undefined && (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)));
  const index = rules.findIndex(
    ({ rule }) =>
      (!rule.method || rule.method === method) &&
      matches(rule.path, path) &&
      matches(rule.object, objectName),
  );
  const found = rules[index];
  if (!found) return undefined;
  found.remaining -= 1;
  if (found.remaining <= 0) rules.splice(index, 1);
  return found.rule;
}

function _objectNameOf(rawPath: string, query: URLSearchParams): string | undefined {
  const match = OBJECT_PATH.exec(rawPath);
  if (match?.[2]) return _decode(match[2]);
  return UPLOAD_PATH.test(rawPath) ? (query.get('name') ?? undefined) : undefined;
}

function _decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
