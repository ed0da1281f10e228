import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import { escapeGlob } from '../../../shared/storage/match-glob.js';

/** Every path Node's fs module is asked to stat, read or list (the calls pass through). */
const touched = vi.hoisted(() => [] as Array<{ call: string; path: string }>);

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const recorded = <F extends (path: never, ...rest: never[]) => unknown>(call: string, fn: F) =>
    ((path: Parameters<F>[0], ...rest: never[]) => {
      touched.push({ call, path: String(path) });
      return fn(path, ...rest);
    }) as unknown as F;
  return {
    ...fs,
    stat: recorded('stat', fs.stat),
    readFile: recorded('readFile', fs.readFile),
    readdir: recorded('readdir', fs.readdir),
  };
});

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'darkroom-fs-list-'));
  const folder = join(root, 'cat[1]');
  await mkdir(join(folder, 'sub'), { recursive: true });
  for (let i = 0; i < 20; i++) await writeFile(join(folder, `img-${i}.jpg`), 'x');
  await writeFile(join(folder, 'edit.json'), '{}');
  await writeFile(join(folder, 'sub', 'deep.json'), '{}');
  touched.length = 0;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The calls made under the bucket folder, by call and object path. */
const calls = (call: string) =>
  touched.filter((t) => t.call === call).map((t) => relative(root, t.path).split(sep).join('/'));

describe('createFsObjectStore', () => {
  describe('list with matchGlob', () => {
    it('stats and reads metadata of matching objects only, and enters no folder the glob cannot reach', async () => {
      const store = createFsObjectStore({ buckets: { drop: root } });
      const listed = await store.list('drop', 'cat[1]/', { matchGlob: `${escapeGlob('cat[1]/')}*.json` });
      expect(listed.map((o) => o.name)).toEqual(['cat[1]/edit.json']);
      expect(calls('stat')).toEqual(['cat[1]/edit.json']);
      expect(calls('readFile')).toEqual(['.darkroom/meta/cat[1]/edit.json.json']);
      expect(calls('readdir')).toEqual(['cat[1]']);
    });

    it('enters subfolders for a glob with "**"', async () => {
      const store = createFsObjectStore({ buckets: { drop: root } });
      const listed = await store.list('drop', '', { matchGlob: '**.json' });
      expect(listed.map((o) => o.name)).toEqual(['cat[1]/edit.json', 'cat[1]/sub/deep.json']);
      expect(calls('stat').sort()).toEqual(['cat[1]/edit.json', 'cat[1]/sub/deep.json']);
      expect(calls('readdir')).toEqual(['', 'cat[1]', 'cat[1]/sub']);
    });

    it('stats every object without a glob', async () => {
      const store = createFsObjectStore({ buckets: { drop: root } });
      expect(await store.list('drop', 'cat[1]/')).toHaveLength(22);
      expect(calls('stat')).toHaveLength(22);
    });
  });
});
