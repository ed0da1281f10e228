import { compileGlob, type Glob, InvalidGlobError } from '../../../shared/storage/match-glob.js';
import {
  type Exchange,
  errorBody,
  failedPrecondition,
  noSuchObject,
  parseJson,
  readBody,
  sendError,
  sendFailure,
  sendJson,
} from './http.js';
import { etagOf, type GcsModel, type StoredObject, toResource } from './model.js';

/** GCS caps `maxResults` of an object listing at 1000. */
const MAX_PAGE = 1000;

/** The JSON API object and bucket routes (`/b/...`, with or without `/storage/v1`). */
export class JsonApi {
  constructor(private readonly model: GcsModel) {}

  /** GET (metadata or `alt=media`), PATCH or DELETE of one object. */
  async object(ex: Exchange, bucket: string, name: string): Promise<void> {
    const body = await readBody(ex.req);
    if (!this.model.bucket(bucket)) return sendError(ex, 404, 'The specified bucket does not exist.');
    const live = this.model.get(bucket, name);
    const generation = ex.query.get('generation');
    const found = generation === null ? live : this.model.getGeneration(bucket, name, generation);
    const media = ex.query.get('alt') === 'media';
    if (!found) {
      if (!media) return sendError(ex, 404, noSuchObject(bucket, name));
      // Media downloads answer a missing object with plain text, not JSON.
      ex.res.writeHead(404, { 'Content-Type': 'text/html; charset=UTF-8' });
      ex.res.end(noSuchObject(bucket, name));
      return;
    }
    const failed = failedPrecondition(found, ex.query);
    if (failed === 'match') return sendError(ex, 412);
    if (failed === 'notMatch' && ex.req.method === 'GET') return sendJson(ex, 304);
    if (failed === 'notMatch') return sendError(ex, 412);
    if (ex.req.method === 'GET') {
      return media ? this.media(ex, found) : sendJson(ex, 200, toResource(found, ex.baseUrl));
    }
    if (ex.req.method === 'DELETE') {
      this.model.buckets.get(bucket)?.delete(name);
      return sendJson(ex, 204);
    }
    if (ex.req.method === 'PATCH' || ex.req.method === 'PUT') {
      const patch = parseJson(body);
      if (!patch) return sendError(ex, 400, 'Invalid JSON payload.', 'parseError');
      return sendJson(ex, 200, toResource(this.model.patch(found, patch), ex.baseUrl));
    }
    sendError(ex, 405, 'Method not allowed', 'methodNotAllowed');
  }

  /**
   * GET of an object listing: `prefix`, `delimiter`, `maxResults`, `pageToken`, `startOffset`,
   * `matchGlob`. The glob filters objects before paging (a page holds only matches) and before
   * `delimiter` folds names into prefixes.
   */
  async list(ex: Exchange, bucket: string): Promise<void> {
    await readBody(ex.req);
    if (ex.req.method !== 'GET') return sendError(ex, 405, 'Method not allowed', 'methodNotAllowed');
    if (!this.model.bucket(bucket)) return sendError(ex, 404, 'The specified bucket does not exist.');
    const matchGlob = ex.query.get('matchGlob');
    let glob: Glob | undefined;
    try {
      glob = matchGlob === null ? undefined : compileGlob(matchGlob);
    } catch (err) {
      if (!(err instanceof InvalidGlobError)) throw err;
      // The reference material does not record the service's answer to a malformed glob; a 400
      // `invalid` (what it answers a malformed parameter with) is the faithful choice.
      return sendError(ex, 400, err.message, 'invalid');
    }
    const prefix = ex.query.get('prefix') ?? '';
    const delimiter = ex.query.get('delimiter');
    const pageSize = Math.min(Number(ex.query.get('maxResults') ?? MAX_PAGE) || MAX_PAGE, MAX_PAGE);
    const after = _decodeToken(ex.query.get('pageToken'));
    const startOffset = ex.query.get('startOffset');
    const entries: Array<{ key: string; object?: StoredObject }> = [];
    for (const object of this.model.list(bucket, prefix)) {
      if (startOffset !== null && _byteCompare(object.name, startOffset) < 0) continue;
      if (glob && !glob.matches(object.name)) continue;
      const cut = delimiter ? object.name.indexOf(delimiter, prefix.length) : -1;
      const key = cut >= 0 && delimiter ? object.name.slice(0, cut + delimiter.length) : object.name;
      if (after !== undefined && _byteCompare(key, after) <= 0) continue;
      if (entries.at(-1)?.key === key) continue;
      entries.push(cut >= 0 ? { key } : { key, object });
    }
    const page = entries.slice(0, pageSize);
    const items = page.flatMap((e) => (e.object ? [toResource(e.object, ex.baseUrl)] : []));
    const prefixes = page.flatMap((e) => (e.object ? [] : [e.key]));
    const last = page.at(-1);
    sendJson(ex, 200, {
      kind: 'storage#objects',
      ...(entries.length > pageSize && last ? { nextPageToken: _encodeToken(last.key) } : {}),
      ...(prefixes.length > 0 ? { prefixes } : {}),
      ...(items.length > 0 ? { items } : {}),
    });
  }

  /** GET of a bucket's metadata, or POST `/b` to create one. */
  async bucket(ex: Exchange, bucket: string | undefined): Promise<void> {
    const body = await readBody(ex.req);
    if (bucket === undefined && ex.req.method === 'POST') {
      const name = parseJson(body)?.name;
      if (typeof name !== 'string' || !name) return sendError(ex, 400, 'Required', 'required');
      if (this.model.buckets.has(name)) {
        return sendError(
          ex,
          409,
          'Your previous request to create the named bucket succeeded and you already own it.',
          'conflict',
        );
      }
      this.model.createBucket(name);
      return sendJson(ex, 200, _bucketResource(name, ex.baseUrl));
    }
    if (bucket === undefined || ex.req.method !== 'GET')
      return sendError(ex, 405, 'Method not allowed', 'methodNotAllowed');
    if (!this.model.bucket(bucket)) return sendError(ex, 404, 'The specified bucket does not exist.');
    sendJson(ex, 200, _bucketResource(bucket, ex.baseUrl));
  }

  private async media(ex: Exchange, found: StoredObject): Promise<void> {
    if (ex.failAfter) return sendFailure(ex, ex.failAfter);
    ex.res.writeHead(200, {
      'Content-Type': found.contentType,
      'Content-Length': String(found.data.length),
      'Cache-Control': found.cacheControl ?? 'no-cache, no-store, max-age=0, must-revalidate',
      ETag: etagOf(found),
      'Last-Modified': new Date(found.updated).toUTCString(),
      'X-Goog-Generation': found.generation,
      'X-Goog-Metageneration': found.metageneration,
      'X-Goog-Hash': `crc32c=${found.crc32c},md5=${found.md5Hash}`,
      'X-Goog-Stored-Content-Length': String(found.data.length),
      'X-Goog-Stored-Content-Encoding': found.contentEncoding ?? 'identity',
      'X-Goog-Storage-Class': 'STANDARD',
    });
    ex.res.end(found.data);
  }
}

/** An answer for paths the server does not implement. */
export function notImplemented(ex: Exchange): void {
  sendJson(
    ex,
    501,
    errorBody(501, `The GCS test server does not implement ${ex.req.method} ${ex.path}`, 'notImplemented'),
  );
}

function _bucketResource(name: string, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: name,
    name,
    selfLink: `${baseUrl}/storage/v1/b/${name}`,
    projectNumber: '0',
    metageneration: '1',
    location: 'US',
    storageClass: 'STANDARD',
    etag: 'CAE=',
  };
}

function _byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function _encodeToken(key: string): string {
  return Buffer.from(key).toString('base64url');
}

function _decodeToken(token: string | null): string | undefined {
  return token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
}
