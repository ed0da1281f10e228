import { createHash, randomUUID } from 'node:crypto';
import {
  type Exchange,
  failedPrecondition,
  parseJson,
  parseMultipart,
  readBody,
  sendError,
  sendJson,
} from './http.js';
import { crc32cBase64, type GcsModel, type ObjectFields, toResource } from './model.js';

/** GCS persists non-final resumable chunks in multiples of 256 KiB. */
const CHUNK_GRANULARITY = 256 * 1024;

/** An open resumable upload session. */
interface Session {
  bucket: string;
  name: string;
  fields: ObjectFields;
  query: URLSearchParams;
  data: Buffer;
}

interface Finished {
  bucket: string;
  name: string;
  data: Buffer;
  fields: ObjectFields;
  query: URLSearchParams;
  hashes: { crc32c?: string | undefined; md5?: string | undefined };
}

/**
 * Uploads under `/upload/storage/v1/b/{bucket}/o`: `uploadType=media`, `multipart`
 * and `resumable` (session start by POST, then PUTs with `Content-Range` to the
 * session URI, answered with 308 and `Range` until the last byte arrives).
 */
export class UploadHandler {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly model: GcsModel) {}

  /** Handles one request to the upload endpoint. */
  async handle(ex: Exchange, bucket: string): Promise<void> {
    const uploadId = ex.query.get('upload_id');
    if (uploadId !== null) return this.session(ex, uploadId);
    if (ex.req.method !== 'POST') return sendError(ex, 405, 'Method not allowed', 'methodNotAllowed');
    if (!this.model.bucket(bucket)) return sendError(ex, 404, 'The specified bucket does not exist.');
    const body = await readBody(ex.req);
    const type = ex.query.get('uploadType');
    const contentType = ex.req.headers['content-type'];
    if (type === 'media') {
      const name = ex.query.get('name');
      if (!name) return sendError(ex, 400, 'Required', 'required');
      if (_nameTooLong(ex, name)) return;
      const fields = { contentType: contentType ?? 'application/octet-stream' };
      return this.finish(ex, { bucket, name, data: body, fields, query: ex.query, hashes: {} });
    }
    if (type === 'multipart') {
      const parts = parseMultipart(body, contentType ?? '');
      const meta = parts?.[0] && parseJson(parts[0].body);
      if (parts?.length !== 2 || !meta || !parts[1]) {
        return sendError(ex, 400, 'Invalid multipart request body.', 'invalid');
      }
      const name = ex.query.get('name') ?? (typeof meta.name === 'string' ? meta.name : undefined);
      if (!name) return sendError(ex, 400, 'Required', 'required');
      if (_nameTooLong(ex, name)) return;
      const fields = _fields(meta, parts[1].headers['content-type']);
      const hashes = { crc32c: _string(meta.crc32c), md5: _string(meta.md5Hash) };
      return this.finish(ex, { bucket, name, data: parts[1].body, fields, query: ex.query, hashes });
    }
    if (type === 'resumable') return this.start(ex, bucket, body);
    return sendError(ex, 400, `Invalid upload type: ${type ?? '(none)'}`, 'invalidParameter');
  }

  private async start(ex: Exchange, bucket: string, body: Buffer): Promise<void> {
    const meta = parseJson(body);
    if (!meta) return sendError(ex, 400, 'Invalid JSON metadata.', 'parseError');
    const name = ex.query.get('name') ?? (typeof meta.name === 'string' ? meta.name : undefined);
    if (!name) return sendError(ex, 400, 'Required', 'required');
    if (_nameTooLong(ex, name)) return;
    // Preconditions are checked when the session starts and again when it completes.
    if (failedPrecondition(this.model.get(bucket, name), ex.query)) return sendError(ex, 412);
    const id = randomUUID().replaceAll('-', '');
    const uploadType = ex.req.headers['x-upload-content-type'];
    const fields = _fields(meta, typeof uploadType === 'string' ? uploadType : undefined);
    this.sessions.set(id, {
      bucket,
      name,
      fields,
      query: new URLSearchParams(ex.query),
      data: Buffer.alloc(0),
    });
    const location = `${ex.baseUrl}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
    sendJson(ex, 200, undefined, { Location: location, 'X-GUploader-UploadID': id });
  }

  private async session(ex: Exchange, id: string): Promise<void> {
    const session = this.sessions.get(id);
    const body = await readBody(ex.req);
    if (!session) return sendError(ex, 404, 'No such upload session.');
    if (ex.req.method === 'DELETE') {
      this.sessions.delete(id);
      return sendJson(ex, 499);
    }
    if (ex.req.method !== 'PUT') return sendError(ex, 405, 'Method not allowed', 'methodNotAllowed');
    const range = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(
      String(ex.req.headers['content-range'] ?? ''),
    );
    if (!range) return sendError(ex, 400, 'Invalid Content-Range header.', 'invalid');
    const [, startText, endText, totalText] = range;
    if (startText !== undefined) {
      const start = Number(startText);
      if (start > session.data.length) {
        return sendError(ex, 400, `Expected the next byte at offset ${session.data.length}, got ${start}.`);
      }
      // Bytes the server already holds (a client resending after a lost reply) are skipped.
      session.data = Buffer.concat([session.data, body.subarray(session.data.length - start)]);
    }
    const total = totalText === '*' ? undefined : Number(totalText);
    const isLast = endText === '*' || (total !== undefined && session.data.length >= total);
    if (!isLast) {
      if (startText !== undefined) {
        const kept = Math.floor(session.data.length / CHUNK_GRANULARITY) * CHUNK_GRANULARITY;
        session.data = session.data.subarray(0, kept);
      }
      const headers: Record<string, string> =
        session.data.length > 0 ? { Range: `bytes=0-${session.data.length - 1}` } : {};
      return sendJson(ex, 308, undefined, headers);
    }
    this.sessions.delete(id);
    const hashes = _googHash(ex.req.headers['x-goog-hash']);
    return this.finish(ex, { ...session, hashes });
  }

  private async finish(ex: Exchange, upload: Finished): Promise<void> {
    const crc32c = crc32cBase64(upload.data);
    if (upload.hashes.crc32c && upload.hashes.crc32c !== crc32c) {
      return sendError(
        ex,
        400,
        `Provided CRC32C "${upload.hashes.crc32c}" doesn't match calculated CRC32C "${crc32c}".`,
      );
    }
    const md5 = createHash('md5').update(upload.data).digest('base64');
    if (upload.hashes.md5 && upload.hashes.md5 !== md5) {
      return sendError(
        ex,
        400,
        `Provided MD5 hash "${upload.hashes.md5}" doesn't match calculated MD5 hash "${md5}".`,
      );
    }
    if (failedPrecondition(this.model.get(upload.bucket, upload.name), upload.query))
      return sendError(ex, 412);
    const stored = this.model.put(upload.bucket, upload.name, upload.data, upload.fields);
    sendJson(ex, 200, toResource(stored, ex.baseUrl));
  }
}

function _fields(meta: Record<string, unknown>, contentType: string | undefined): ObjectFields {
  return {
    contentType: _string(meta.contentType) ?? contentType ?? 'application/octet-stream',
    cacheControl: _string(meta.cacheControl),
    contentEncoding: _string(meta.contentEncoding),
    contentDisposition: _string(meta.contentDisposition),
    customTime: _string(meta.customTime),
    metadata:
      meta.metadata && typeof meta.metadata === 'object' ? (meta.metadata as Record<string, unknown>) : {},
  };
}

/**
 * Cloud Storage object names are 1–1024 bytes of UTF-8
 * (https://cloud.google.com/storage/docs/objects#naming); a longer one is refused with 400.
 * @returns true when the request was answered with that refusal
 */
function _nameTooLong(ex: Exchange, name: string): boolean {
  const bytes = Buffer.byteLength(name);
  if (bytes <= 1024) return false;
  const message = `The maximum object length is 1024 characters, but got a name with ${bytes} characters: '${name.slice(0, 64)}...'`;
  sendError(ex, 400, message, 'invalid');
  return true;
}

function _string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Parses `X-Goog-Hash: crc32c=…,md5=…`. */
function _googHash(header: string | string[] | undefined): Finished['hashes'] {
  const out: Finished['hashes'] = {};
  for (const pair of String(header ?? '').split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (key === 'crc32c' || key === 'md5') out[key] = pair.slice(eq + 1).trim();
  }
  return out;
}
