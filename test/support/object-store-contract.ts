import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreConflictError } from '../../shared/errors.js';
import { escapeGlob } from '../../shared/storage/match-glob.js';
import {
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  ObjectTooLargeError,
} from '../../shared/storage/object-store.js';

/** What a contract run needs from one adapter. */
export interface ObjectStoreFixture {
  store: ObjectStore;
  bucket: string;
  cleanup?: () => Promise<void>;
  /** Overwrites an object behind the store's back (a new generation); default delete + create. */
  put?: (name: string, data: Buffer, contentType?: string) => Promise<ObjectInfo>;
}

const PNG = 'image/png';

/**
 * The behaviour every ObjectStore adapter must show, run once per adapter.
 * Each test works under a fresh prefix, so fixtures may share a bucket.
 * @example testObjectStore('gcs', async () => ({ store: createGcsObjectStore(), bucket: 'b' }))
 */
export function testObjectStore(name: string, factory: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fx: ObjectStoreFixture;
    let store: ObjectStore;
    let bucket: string;
    let dir: string;
    const ref = (object: string, generation?: string) => ({ bucket, name: `${dir}${object}`, generation });
    const create = (object: string, data: string | Buffer, contentType = PNG) =>
      store.create(ref(object), Buffer.from(data), { contentType });
    const overwrite = async (object: string, data: string): Promise<ObjectInfo> => {
      if (fx.put) return fx.put(`${dir}${object}`, Buffer.from(data), PNG);
      await store.delete(ref(object));
      return (await create(object, data)).info;
    };

    beforeEach(async () => {
      fx = await factory();
      ({ store, bucket } = fx);
      dir = `contract-${randomUUID().slice(0, 8)}/`;
    });
    afterEach(async () => {
      await fx.cleanup?.();
    });

    describe('create', () => {
      it('writes a new object and describes it', async () => {
        const result = await store.create(ref('a.png'), Buffer.from('bytes-a'), {
          contentType: PNG,
          metadata: { job: 'j-1', stage: '2', source: 'gs://in/ä b.png' },
          cacheControl: 'public, max-age=60',
        });
        expect(result.created).toBe(true);
        expect(result.info).toMatchObject({ bucket, name: `${dir}a.png`, size: 7, contentType: PNG });
        expect(result.info.metadata).toEqual({ job: 'j-1', stage: '2', source: 'gs://in/ä b.png' });
        expect(result.info.generation).toMatch(/^\d+$/);
        expect(await store.stat(ref('a.png'))).toEqual(result.info);
      });

      it('counts identical bytes already there as written (created: false, same generation)', async () => {
        const first = await create('same.png', 'identical');
        const second = await create('same.png', 'identical');
        expect(second.created).toBe(false);
        expect(second.info.generation).toBe(first.info.generation);
      });

      it('throws StoreConflictError carrying the existing object for different bytes', async () => {
        const first = await create('taken.png', 'original');
        const error = await create('taken.png', 'different').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreConflictError);
        expect((error as StoreConflictError<ObjectInfo>).existing).toMatchObject({
          name: `${dir}taken.png`,
          generation: first.info.generation,
          size: 8,
        });
        expect((await store.read(ref('taken.png'))).toString()).toBe('original');
      });

      it('treats same-size different bytes as a conflict', async () => {
        await create('size.png', 'aaaa');
        await expect(create('size.png', 'bbbb')).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('writes empty objects', async () => {
        const result = await create('empty.json', '', 'application/json');
        expect(result.info.size).toBe(0);
        expect((await store.read(ref('empty.json'))).length).toBe(0);
      });
    });

    describe('stat', () => {
      it('returns undefined for a missing object', async () => {
        expect(await store.stat(ref('missing.png'))).toBeUndefined();
      });

      it('honours an exact generation, which an overwrite retires', async () => {
        const old = (await create('gen.png', 'v1')).info;
        expect((await store.stat(ref('gen.png', old.generation)))?.generation).toBe(old.generation);
        const fresh = await overwrite('gen.png', 'version-2');
        expect(fresh.generation).not.toBe(old.generation);
        expect(await store.stat(ref('gen.png', old.generation))).toBeUndefined();
        expect(await store.stat(ref('gen.png', fresh.generation))).toMatchObject({ size: 9 });
        expect((await store.stat(ref('gen.png')))?.generation).toBe(fresh.generation);
      });

      it('returns undefined for a generation that never existed', async () => {
        await create('never.png', 'x');
        expect(await store.stat(ref('never.png', '1'))).toBeUndefined();
      });
    });

    describe('read', () => {
      it('returns the bytes, also of an exact generation', async () => {
        const data = Buffer.from([0, 1, 2, 253, 254, 255]);
        const { info } = await store.create(ref('bin.png'), data, { contentType: PNG });
        expect(await store.read(ref('bin.png'))).toEqual(data);
        expect(await store.read(ref('bin.png', info.generation))).toEqual(data);
      });

      it('throws ObjectNotFoundError for a missing, deleted or overwritten generation', async () => {
        await expect(store.read(ref('nothing.png'))).rejects.toBeInstanceOf(ObjectNotFoundError);
        const old = (await create('over.png', 'v1')).info;
        await overwrite('over.png', 'v2');
        await expect(store.read(ref('over.png', old.generation))).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect((await store.read(ref('over.png'))).toString()).toBe('v2');
        await store.delete(ref('over.png'));
        await expect(store.read(ref('over.png'))).rejects.toBeInstanceOf(ObjectNotFoundError);
      });

      it('refuses objects larger than maxBytes and accepts one exactly at the limit', async () => {
        await create('big.png', '0123456789');
        const error = await store.read(ref('big.png'), { maxBytes: 9 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ObjectTooLargeError);
        expect(error).toMatchObject({ size: 10, maxBytes: 9 });
        expect((await store.read(ref('big.png'), { maxBytes: 10 })).toString()).toBe('0123456789');
      });
    });

    describe('list', () => {
      it('lists the objects under a prefix, sorted by name', async () => {
        const names = ['b.png', 'a/2.png', 'a/1.png', 'a b.png', 'é.png', 'Z.png'];
        for (const object of names) await create(object, object);
        await store.create({ bucket, name: `${dir.slice(0, -1)}-sibling.png` }, Buffer.from('x'), {
          contentType: PNG,
        });
        const listed = await store.list(bucket, dir);
        expect(listed.map((o) => o.name)).toEqual(names.map((n) => `${dir}${n}`).sort());
        expect(listed.find((o) => o.name === `${dir}a/1.png`)).toMatchObject({ size: 7, contentType: PNG });
        expect((await store.list(bucket, `${dir}a/`)).map((o) => o.name)).toEqual([
          `${dir}a/1.png`,
          `${dir}a/2.png`,
        ]);
      });

      it('returns an empty list when nothing matches', async () => {
        expect(await store.list(bucket, `${dir}none/`)).toEqual([]);
      });
    });

    describe('list with matchGlob', () => {
      const NAMES = [
        'a.json',
        'b.png',
        'c.JSON',
        'sub/d.json',
        'sub/deeper/e.json',
        'x[1]/f.json',
        'x1/g.json',
      ];
      const names = async (prefix: string, glob: string) =>
        (await store.list(bucket, prefix, { matchGlob: glob })).map((o) => o.name.slice(dir.length));

      beforeEach(async () => {
        for (const object of NAMES) await create(object, object);
      });

      it('keeps only names the whole glob matches; * and ? stop at "/"', async () => {
        expect(await names(dir, `${escapeGlob(dir)}*.json`)).toEqual(['a.json']);
        expect(await names(dir, `${escapeGlob(dir)}?.{json,JSON}`)).toEqual(['a.json', 'c.JSON']);
        expect(await names(dir, `${escapeGlob(dir)}*`)).toEqual(['a.json', 'b.png', 'c.JSON']);
        expect(await names(dir, `${escapeGlob(dir)}*/*.json`)).toEqual([
          'sub/d.json',
          'x1/g.json',
          'x[1]/f.json',
        ]);
      });

      it('lets ** cross folders, and classes pick characters', async () => {
        expect(await names(dir, `${escapeGlob(dir)}**.json`)).toEqual([
          'a.json',
          'sub/d.json',
          'sub/deeper/e.json',
          'x1/g.json',
          'x[1]/f.json',
        ]);
        expect(await names(dir, `${escapeGlob(dir)}[a-b]*`)).toEqual(['a.json', 'b.png']);
        expect(await names(dir, `${escapeGlob(dir)}[!a]*.*`)).toEqual(['b.png', 'c.JSON']);
      });

      it('matches glob metacharacters in names literally once escaped', async () => {
        expect(await names(`${dir}x[1]/`, `${escapeGlob(`${dir}x[1]/`)}*.json`)).toEqual(['x[1]/f.json']);
        // Unescaped, "[1]" is a class: it matches "x1/", not "x[1]/".
        expect(await names(dir, `${escapeGlob(dir)}x[1]/*`)).toEqual(['x1/g.json']);
      });

      it('applies the prefix too, and returns nothing when the two exclude each other', async () => {
        expect(await names(`${dir}sub/`, `${escapeGlob(dir)}**.json`)).toEqual([
          'sub/d.json',
          'sub/deeper/e.json',
        ]);
        expect(await names(`${dir}sub/`, `${escapeGlob(dir)}x*/*`)).toEqual([]);
      });

      it('refuses an unclosed "[" or "{"', async () => {
        await expect(store.list(bucket, dir, { matchGlob: `${escapeGlob(dir)}[ab` })).rejects.toThrow();
        await expect(store.list(bucket, dir, { matchGlob: `${escapeGlob(dir)}{a,b` })).rejects.toThrow();
      });
    });

    it('round-trips names with spaces and unicode through every method', async () => {
      const object = 'dir with space/über ✓ 日本 #1%.png';
      const { info } = await create(object, 'unicode');
      expect(info.name).toBe(`${dir}${object}`);
      expect((await store.stat(ref(object, info.generation)))?.name).toBe(`${dir}${object}`);
      expect((await store.read(ref(object, info.generation))).toString()).toBe('unicode');
      expect((await store.list(bucket, `${dir}dir with space/`)).map((o) => o.name)).toEqual([
        `${dir}${object}`,
      ]);
      await store.delete(ref(object));
      expect(await store.stat(ref(object))).toBeUndefined();
    });

    describe('delete', () => {
      it('removes an object and ignores one that is already gone', async () => {
        await create('gone.png', 'x');
        await store.delete(ref('gone.png'));
        expect(await store.stat(ref('gone.png'))).toBeUndefined();
        await expect(store.delete(ref('gone.png'))).resolves.toBeUndefined();
        await expect(store.delete(ref('never-there.png'))).resolves.toBeUndefined();
      });

      it('allows creating the name again afterwards', async () => {
        const first = (await create('again.png', 'one')).info;
        await store.delete(ref('again.png'));
        const second = await create('again.png', 'two');
        expect(second.created).toBe(true);
        expect(second.info.generation).not.toBe(first.generation);
      });
    });
  });
}
