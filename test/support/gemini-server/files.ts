import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuth, type GoogleErrorReply, googleError } from './protocol.js';
import { sendJson } from './reply.js';

/**
 * The Gemini Files API on the Developer API, as `@google/genai` 2.32.0 calls it: the resumable
 * upload (`POST /upload/v1beta/files` with `X-Goog-Upload-Command: start`, then the returned
 * `x-goog-upload-url` with `upload` / `upload, finalize` chunks at `X-Goog-Upload-Offset`), and
 * `GET /v1beta/files/{id}`, `GET /v1beta/files/{id}:download?alt=media`, `DELETE /v1beta/files/{id}`.
 * Limits as documented (shared/reference/gemini-batch.md): 2 GB per file, 20 GB per project,
 * files deleted 48 h after upload. A chosen name that exists answers 409 ALREADY_EXISTS.
 */

/** One file may be at most 2 GB. */
export const FILE_MAX_BYTES = 2 * 1024 ** 3;
/** A project stores at most 20 GB of files. */
export const FILE_STORAGE_MAX_BYTES = 20 * 1024 ** 3;
/** Files are deleted 48 h after they were created. */
export const FILE_TTL_MS = 48 * 60 * 60 * 1000;

/** A stored file. */
export interface TestFile {
  name: string;
  displayName?: string | undefined;
  mimeType: string;
  data: Buffer;
  createdAt: number;
  source: 'UPLOADED' | 'GENERATED';
}

/** What tests can tell the Files API. */
export interface FileControl {
  readonly files: ReadonlyMap<string, TestFile>;
  /** Upload sessions started (`X-Goog-Upload-Command: start`), answered or not. */
  readonly uploadsStarted: number;
  /** The next finalize stores the file, then drops the connection without answering. */
  loseNextUploadAnswer(): void;
  /** Declared sizes count this much extra against the limits (to test them without gigabytes). */
  inflateSizes(bytes: number): void;
  reset(): void;
}

/** The Files part of the Gemini test server. */
export interface FileService {
  control: FileControl;
  /** A live (unexpired) file, or undefined. */
  get(name: string): TestFile | undefined;
  /** Stores a file the service generated (a batch's responses). */
  putGenerated(name: string, data: Buffer, mimeType: string): void;
  /** @returns true when the request was a file route (and was answered) */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean>;
}

const UPLOAD_PATH = '/upload/v1beta/files';
const FILE_PATH = /^\/v1beta\/files\/([^/:]+)(:download)?$/;
/** The File resource's id: up to 40 lowercase letters, digits or dashes, no dash at either end. */
const FILE_ID = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

interface Session {
  file: Omit<TestFile, 'data' | 'createdAt'>;
  size: number;
  chunks: Buffer[];
  received: number;
}

/** @param options.now the controllable clock; `apiKey` as for the interactive server */
export function createFileService(options: { now: () => number; apiKey?: string | undefined }): FileService {
  const files = new Map<string, TestFile>();
  const sessions = new Map<string, Session>();
  let started = 0;
  let loseAnswer = 0;
  let inflate = 0;

  const live = (name: string) => {
    const file = files.get(name);
    if (file && options.now() - file.createdAt > FILE_TTL_MS) files.delete(name);
    return files.get(name);
  };
  const stored = () => [...files.keys()].reduce((sum, n) => sum + (live(n)?.data.length ?? 0), 0);
  const resource = (f: TestFile) => ({
    name: f.name,
    ...(f.displayName ? { displayName: f.displayName } : {}),
    mimeType: f.mimeType,
    sizeBytes: String(f.data.length),
    createTime: new Date(f.createdAt).toISOString(),
    updateTime: new Date(f.createdAt).toISOString(),
    expirationTime: new Date(f.createdAt + FILE_TTL_MS).toISOString(),
    sha256Hash: createHash('sha256').update(f.data).digest('base64'),
    uri: `https://generativelanguage.googleapis.com/v1beta/${f.name}`,
    state: 'ACTIVE',
    source: f.source,
  });
  const answer = (res: ServerResponse, reply: GoogleErrorReply) =>
    sendJson(res, reply.httpStatus, reply.body);
  const header = (req: IncomingMessage, name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };

  const start = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    started += 1;
    if (
      header(req, 'x-goog-upload-protocol') !== 'resumable' ||
      header(req, 'x-goog-upload-command') !== 'start'
    ) {
      return answer(res, googleError(400, 'Upload requests must use X-Goog-Upload-Protocol: resumable.'));
    }
    const size = Number(header(req, 'x-goog-upload-header-content-length'));
    if (!Number.isInteger(size) || size < 0) {
      return answer(res, googleError(400, 'X-Goog-Upload-Header-Content-Length is required.'));
    }
    let meta: { file?: { name?: string; displayName?: string; mimeType?: string } } = {};
    try {
      meta = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return answer(res, googleError(400, 'Invalid JSON payload received.'));
    }
    const mimeType = header(req, 'x-goog-upload-header-content-type') ?? meta.file?.mimeType;
    if (!mimeType) return answer(res, googleError(400, '* File.mime_type: mime_type is required.'));
    if (size + inflate > FILE_MAX_BYTES) {
      return answer(
        res,
        googleError(400, `File size ${size + inflate} bytes exceeds the ${FILE_MAX_BYTES}-byte limit.`),
      );
    }
    if (stored() + size + inflate > FILE_STORAGE_MAX_BYTES) {
      return answer(res, googleError(429, 'The project has used its 20 GB of file storage.'));
    }
    const requested = meta.file?.name;
    const name =
      requested ??
      `files/${createHash('sha256').update(`${started}:${options.now()}`).digest('hex').slice(0, 12)}`;
    const id = name.replace(/^files\//, '');
    if (!name.startsWith('files/') || !FILE_ID.test(id)) {
      return answer(
        res,
        googleError(
          400,
          `* File.name: "${name}" must be files/ and up to 40 lowercase letters, digits or dashes.`,
        ),
      );
    }
    if (live(name)) return answer(res, googleError(409, `File ${name} already exists.`));
    const uploadId = createHash('sha256').update(`upload:${started}:${name}`).digest('hex').slice(0, 24);
    sessions.set(uploadId, {
      file: { name, displayName: meta.file?.displayName, mimeType, source: 'UPLOADED' },
      size,
      chunks: [],
      received: 0,
    });
    const host = header(req, 'host') ?? '127.0.0.1';
    sendJson(
      res,
      200,
      {},
      {
        'x-goog-upload-url': `http://${host}${UPLOAD_PATH}?upload_id=${uploadId}&upload_protocol=resumable`,
        'x-goog-upload-status': 'active',
        'x-goog-upload-chunk-granularity': String(256 * 1024),
      },
    );
  };

  const upload = (req: IncomingMessage, res: ServerResponse, uploadId: string, body: Buffer) => {
    const session = sessions.get(uploadId);
    if (!session) return answer(res, googleError(404, `Upload ${uploadId} not found.`));
    const command = (header(req, 'x-goog-upload-command') ?? '').split(',').map((s) => s.trim());
    const offset = Number(header(req, 'x-goog-upload-offset'));
    if (!command.includes('upload') || offset !== session.received) {
      return answer(
        res,
        googleError(400, `Expected an upload at offset ${session.received} but received offset ${offset}.`),
      );
    }
    session.chunks.push(body);
    session.received += body.length;
    if (!command.includes('finalize')) {
      return sendJson(res, 200, {}, { 'x-goog-upload-status': 'active' });
    }
    sessions.delete(uploadId);
    if (session.received !== session.size) {
      return answer(
        res,
        googleError(400, `The upload declared ${session.size} bytes but ${session.received} were received.`),
      );
    }
    if (live(session.file.name))
      return answer(res, googleError(409, `File ${session.file.name} already exists.`));
    const file: TestFile = { ...session.file, data: Buffer.concat(session.chunks), createdAt: options.now() };
    files.set(file.name, file);
    if (loseAnswer > 0) {
      loseAnswer -= 1;
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, { file: resource(file) }, { 'x-goog-upload-status': 'final' });
  };

  const one = (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpExecArray) => {
    const name = `files/${match[1]}`;
    const file = live(name);
    if (!file)
      return answer(
        res,
        googleError(403, `You do not have permission to access the File ${match[1]} or it may not exist.`),
      );
    if (match[2] === ':download' && req.method === 'GET') {
      if (url.searchParams.get('alt') !== 'media') return sendJson(res, 200, resource(file));
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.data.length) });
      res.end(file.data);
      return;
    }
    if (!match[2] && req.method === 'GET') return sendJson(res, 200, resource(file));
    if (!match[2] && req.method === 'DELETE') {
      files.delete(name);
      return sendJson(res, 200, {});
    }
    return answer(res, googleError(404, `Method not found: ${req.method} ${url.pathname}`));
  };

  return {
    control: {
      files,
      get uploadsStarted() {
        return started;
      },
      loseNextUploadAnswer: () => {
        loseAnswer += 1;
      },
      inflateSizes: (bytes) => {
        inflate = bytes;
      },
      reset() {
        files.clear();
        sessions.clear();
        started = 0;
        loseAnswer = 0;
        inflate = 0;
      },
    },
    get: live,
    putGenerated(name, data, mimeType) {
      files.set(name, { name, mimeType, data, createdAt: options.now(), source: 'GENERATED' });
    },
    async handle(req, res, url, body) {
      const match = FILE_PATH.exec(url.pathname);
      if (url.pathname !== UPLOAD_PATH && !match) return false;
      const denied = checkAuth(req, url, { backend: 'gemini-api', model: '' }, options.apiKey);
      if (denied) {
        answer(res, denied);
        return true;
      }
      const uploadId = url.searchParams.get('upload_id');
      if (url.pathname === UPLOAD_PATH && req.method === 'POST') {
        if (uploadId) upload(req, res, uploadId, body);
        else start(req, res, body);
      } else if (match) one(req, res, url, match);
      else answer(res, googleError(404, `Method not found: ${req.method} ${url.pathname}`));
      return true;
    },
  };
}
