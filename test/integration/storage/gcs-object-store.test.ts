import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, StoreConflictError, TransientError } from '../../../shared/errors.js';
import {
  createGcsObjectStore,
  type GcsObjectStoreOptions,
} from '../../../shared/storage/gcs-object-store.js';
import { ObjectTooLargeError } from '../../../shared/storage/object-store.js';
import { type GcsServer, startGcsServer } from '../../support/gcs-server/index.js';
import { testObjectStore } from '../../support/object-store-contract.js';

let gcs: GcsServer;
let bucketCount = 0;
const previousHost = process.env.STORAGE_EMULATOR_HOST;

// async-retry inside the client refuses a maximum delay below its 1 s minimum.
const QUICK_RETRY = { maxRetries: 1, maxRetryDelay: 1, totalTimeout: 30 };
const NO_RETRY = { autoRetry: false };

beforeAll(async () => {
  gcs = await startGcsServer();
  process.env.STORAGE_EMULATOR_HOST = gcs.host;
});
afterAll(async () => {
  if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
  else process.env.STORAGE_EMULATOR_HOST = previousHost;
  await gcs.close();
});

const newBucket = () => `darkroom-test-${++bucketCount}`;
const storeWith = (options: GcsObjectStoreOptions = {}) =>
  createGcsObjectStore({ projectId: 'demo-darkroom', retryOptions: QUICK_RETRY, ...options });

testObjectStore('gcs (multipart uploads)', async () => {
  const bucket = newBucket();
  const store = storeWith();
  return {
    store,
    bucket,
    put: async (name, data, contentType) => {
      gcs.putObject(bucket, name, data, { contentType });
      const info = await store.stat({ bucket, name });
      if (!info) throw new Error(`put of ${name} did not land`);
      return info;
    },
  };
});

testObjectStore('gcs (resumable uploads)', async () => ({
  store: storeWith({ resumableThreshold: 0 }),
  bucket: newBucket(),
}));

describe('createGcsObjectStore', () => {
  let bucket: string;
  const png = Buffer.from('not really a png');
  const since = () => gcs.requests.length;

  beforeEach(() => {
    bucket = newBucket();
  });
  afterEach(() => {
    gcs.clearFailures();
  });

  describe('create', () => {
    it('sends a small write as one multipart request with ifGenerationMatch=0 and sets cacheControl', async () => {
      const from = since();
      await storeWith().create({ bucket, name: 'out/a.png' }, png, {
        contentType: 'image/png',
        metadata: { job: 'j1' },
        cacheControl: 'public, max-age=3600',
      });
      const writes = gcs.requests.slice(from);
      expect(writes.map((r) => [r.method, r.query.uploadType, r.query.ifGenerationMatch, r.status])).toEqual([
        ['POST', 'multipart', '0', 200],
      ]);
      expect(gcs.getObject(bucket, 'out/a.png')).toMatchObject({
        contentType: 'image/png',
        cacheControl: 'public, max-age=3600',
        metadata: { job: 'j1' },
      });
    });

    it('uploads a large write resumably in 256 KiB chunks through 308 replies', async () => {
      const data = Buffer.alloc(600_000, 7);
      data.write('head');
      const from = since();
      const store = storeWith({ resumableThreshold: 100_000, chunkSize: 256 * 1024 });
      const { info } = await store.create({ bucket, name: 'big.bin' }, data, {
        contentType: 'application/octet-stream',
        cacheControl: 'no-store',
      });
      const log = gcs.requests.slice(from);
      expect(log[0]?.query).toMatchObject({ uploadType: 'resumable', ifGenerationMatch: '0' });
      expect(log.slice(1).map((r) => r.status)).toEqual([308, 308, 200]);
      expect(log.at(-1)?.headers['content-range']).toBe('bytes 524288-599999/600000');
      expect(info.size).toBe(600_000);
      expect(gcs.getObject(bucket, 'big.bin')?.data.equals(data)).toBe(true);
      expect(gcs.getObject(bucket, 'big.bin')?.cacheControl).toBe('no-store');
    });

    it('answers a resumable create over different bytes with StoreConflictError (412 at session start)', async () => {
      const existing = gcs.putObject(bucket, 'taken.png', 'other bytes');
      const from = since();
      const error = await storeWith({ resumableThreshold: 0 })
        .create({ bucket, name: 'taken.png' }, png, { contentType: 'image/png' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreConflictError);
      expect((error as StoreConflictError<{ generation: string }>).existing.generation).toBe(
        existing.generation,
      );
      expect(gcs.requests.slice(from)[0]).toMatchObject({ method: 'POST', status: 412 });
    });

    it('retries a 503 on the conditional write and succeeds', async () => {
      gcs.failNext(1, 503, { path: '/upload/' });
      const from = since();
      const result = await storeWith().create({ bucket, name: 'retry.png' }, png, {
        contentType: 'image/png',
      });
      expect(result.created).toBe(true);
      expect(gcs.requests.slice(from).map((r) => r.status)).toEqual([503, 200]);
    });

    it('treats its own write whose reply was lost as written (retry meets 412, identical bytes)', async () => {
      gcs.failNext(1, 503, { path: '/upload/', afterApply: true });
      const result = await storeWith().create({ bucket, name: 'lost.png' }, png, {
        contentType: 'image/png',
      });
      expect(result.created).toBe(false);
      expect(gcs.getObject(bucket, 'lost.png')?.data.equals(png)).toBe(true);
    });

    it('throws TransientError when the service keeps answering 503', async () => {
      gcs.failNext(5, 503, { path: '/upload/' });
      const from = since();
      const error = await storeWith({ resumableThreshold: 0 })
        .create({ bucket, name: 'down.png' }, png, { contentType: 'image/png' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503 });
      expect(gcs.getObject(bucket, 'down.png')).toBeUndefined();
      // The session start was tried once and retried once (maxRetries: 1).
      expect(gcs.requests.slice(from).map((r) => r.status)).toEqual([503, 503]);
    });
  });

  describe('read', () => {
    it('downloads the exact generation with alt=media&generation=', async () => {
      const stored = gcs.putObject(bucket, 'in/photo 1.jpg', png);
      const from = since();
      expect(
        await storeWith().read({ bucket, name: 'in/photo 1.jpg', generation: stored.generation }),
      ).toEqual(png);
      const download = gcs.requests.slice(from).find((r) => r.query.alt === 'media');
      expect(download).toMatchObject({ path: `/b/${bucket}/o/in/photo 1.jpg`, status: 200 });
      expect(download?.query.generation).toBe(stored.generation);
    });

    it('refuses an oversized object from its metadata, without downloading it', async () => {
      gcs.putObject(bucket, 'huge.jpg', Buffer.alloc(2048));
      const from = since();
      await expect(storeWith().read({ bucket, name: 'huge.jpg' }, { maxBytes: 1024 })).rejects.toBeInstanceOf(
        ObjectTooLargeError,
      );
      expect(gcs.requests.slice(from).some((r) => r.query.alt === 'media')).toBe(false);
    });
  });

  describe('error mapping', () => {
    it.each([
      ['stat', (s: ReturnType<typeof storeWith>, b: string) => s.stat({ bucket: b, name: 'x' })],
      ['read', (s: ReturnType<typeof storeWith>, b: string) => s.read({ bucket: b, name: 'x' })],
      ['list', (s: ReturnType<typeof storeWith>, b: string) => s.list(b, '')],
      ['delete', (s: ReturnType<typeof storeWith>, b: string) => s.delete({ bucket: b, name: 'x' })],
    ])('maps a 503 on %s to TransientError', async (_, call) => {
      gcs.failNext(1, 503);
      await expect(call(storeWith({ retryOptions: NO_RETRY }), bucket)).rejects.toMatchObject({
        name: 'TransientError',
        code: 'STORAGE_UNAVAILABLE',
      });
    });

    it('maps a 429 and a reset connection to TransientError', async () => {
      const store = storeWith({ retryOptions: NO_RETRY });
      gcs.failNext(1, 429);
      await expect(store.stat({ bucket, name: 'x' })).rejects.toMatchObject({
        status: 429,
        code: 'STORAGE_UNAVAILABLE',
      });
      gcs.failNext(1, 'reset');
      await expect(store.stat({ bucket, name: 'x' })).rejects.toBeInstanceOf(TransientError);
    });

    it('maps a 403 to PermanentError STORAGE_PERMISSION_DENIED', async () => {
      gcs.failNext(1, 403);
      const error = await storeWith()
        .create({ bucket, name: 'no.png' }, png, { contentType: 'image/png' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ code: 'STORAGE_PERMISSION_DENIED' });
      expect((error as Error).message).toContain('HTTP 403');
    });
  });

  it('lists across pages in name order', async () => {
    for (const name of ['p/e', 'p/a', 'p/d', 'p/c', 'p/b']) gcs.putObject(bucket, name, name);
    const from = since();
    const listed = await storeWith({ listPageSize: 2 }).list(bucket, 'p/');
    expect(listed.map((o) => o.name)).toEqual(['p/a', 'p/b', 'p/c', 'p/d', 'p/e']);
    expect(gcs.requests.slice(from).map((r) => r.query.pageToken !== undefined)).toEqual([false, true, true]);
  });

  it('sends matchGlob on every page of a listing and maps a refused glob to PermanentError', async () => {
    for (const name of ['p/a.json', 'p/b.png', 'p/c.json', 'p/d.json']) gcs.putObject(bucket, name, name);
    const from = since();
    const listed = await storeWith({ listPageSize: 2 }).list(bucket, 'p/', { matchGlob: 'p/*.json' });
    expect(listed.map((o) => o.name)).toEqual(['p/a.json', 'p/c.json', 'p/d.json']);
    expect(gcs.requests.slice(from).map((r) => r.query.matchGlob)).toEqual(['p/*.json', 'p/*.json']);
    const error = await storeWith({ retryOptions: NO_RETRY })
      .list(bucket, 'p/', { matchGlob: 'p/[' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
  });

  it('reaches the JSON API under /storage/v1 when given apiEndpoint', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    delete process.env.STORAGE_EMULATOR_HOST;
    try {
      const store = storeWith({ apiEndpoint: gcs.url });
      gcs.putObject(bucket, 'ep.png', png);
      const from = since();
      expect(await store.read({ bucket, name: 'ep.png' })).toEqual(png);
      expect(gcs.requests.slice(from).every((r) => r.path.startsWith(`/storage/v1/b/${bucket}/o/`))).toBe(
        true,
      );
    } finally {
      process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });
});
