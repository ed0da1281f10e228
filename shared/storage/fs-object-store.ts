import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { StoreConflictError } from '../errors.js';
import { compileGlob } from './match-glob.js';
import {
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectStore,
  ObjectTooLargeError,
  type WriteOptions,
  type WriteResult,
} from './object-store.js';

export const FS_STORE_KIND = 'fs';

/** Where the adapter keeps what a file system does not: content types and custom metadata. */
const META_DIR = '.darkroom/meta';

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heic: 'image/heic',
  json: 'application/json',
  html: 'text/html',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

interface MetaFile {
  contentType?: string;
  cacheControl?: string;
  metadata: Record<string, string>;
  generation: string;
}

/** Options of {@link createFsObjectStore}. */
export interface FsObjectStoreOptions {
  /** Bucket name → folder. Each folder behaves as a bucket. */
  buckets: Record<string, string>;
}

/**
 * An ObjectStore over local folders. A file's generation is its modification time in
 * nanoseconds, so overwriting a file gives it a new generation, as in Cloud Storage.
 * Writes are create-only and atomic (write to a temporary file, then hard-link).
 * @example createFsObjectStore({ buckets: { drop: './examples/drop', results: './results' } })
 */
export function createFsObjectStore(options: FsObjectStoreOptions): ObjectStore {
  const rootOf = (bucket: string): string => {
    const root = options.buckets[bucket];
    if (!root)
      throw new Error(`Unknown bucket "${bucket}"; known: ${Object.keys(options.buckets).join(', ')}`);
    return root;
  };
  const pathOf = (bucket: string, name: string): string => {
    const root = rootOf(bucket);
    const segments = name.split('/');
    if (name === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`Invalid object name "${name}"`);
    }
    return join(root, ...segments);
  };
  const metaPathOf = (bucket: string, name: string) => join(rootOf(bucket), META_DIR, `${name}.json`);

  async function readMeta(bucket: string, name: string): Promise<MetaFile | undefined> {
    try {
      return JSON.parse(await readFile(metaPathOf(bucket, name), 'utf8')) as MetaFile;
    } catch {
      return undefined;
    }
  }

  async function info(bucket: string, name: string): Promise<ObjectInfo | undefined> {
    let st: Awaited<ReturnType<typeof stat>> & { mtimeNs: bigint };
    try {
      st = await stat(pathOf(bucket, name), { bigint: true });
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    return infoOf(bucket, name, st, await readMeta(bucket, name));
  }

  return {
    kind: FS_STORE_KIND,

    async stat(ref: ObjectRef) {
      const found = await info(ref.bucket, ref.name);
      if (!found || (ref.generation && found.generation !== ref.generation)) return undefined;
      return found;
    },

    async read(ref: ObjectRef, readOptions?: { maxBytes?: number }) {
      // One open file: its size and generation are checked on it, and the bytes read from it, so
      // a file replaced meanwhile (a new inode) is never mixed up with the one checked.
      const handle = await open(pathOf(ref.bucket, ref.name), 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'ENOTDIR') {
          throw new ObjectNotFoundError(ref);
        }
        throw err;
      });
      try {
        const before = await handle.stat({ bigint: true });
        const generation = before.mtimeNs.toString();
        if (!before.isFile() || (ref.generation && generation !== ref.generation)) {
          throw new ObjectNotFoundError(ref);
        }
        if (readOptions?.maxBytes !== undefined && Number(before.size) > readOptions.maxBytes) {
          throw new ObjectTooLargeError(ref, Number(before.size), readOptions.maxBytes);
        }
        const data = await handle.readFile();
        // The file may have been rewritten in place while it was read.
        const after = await handle.stat({ bigint: true });
        if (after.mtimeNs !== before.mtimeNs) throw new ObjectNotFoundError(ref);
        return data;
      } finally {
        await handle.close();
      }
    },

    async create(ref, data: Buffer, writeOptions: WriteOptions): Promise<WriteResult> {
      const target = pathOf(ref.bucket, ref.name);
      await mkdir(dirname(target), { recursive: true });
      const temp = join(dirname(target), `.tmp-${randomUUID()}`);
      await writeFile(temp, data);
      try {
        await link(temp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const existing = await readFile(target);
        const existingInfo = await info(ref.bucket, ref.name);
        if (existingInfo && existing.equals(data)) return { info: existingInfo, created: false };
        throw new StoreConflictError(
          `Object ${ref.bucket}/${ref.name} already exists with other content`,
          existingInfo,
        );
      } finally {
        await unlink(temp).catch(() => {});
      }
      const st = await stat(target, { bigint: true });
      const meta: MetaFile = {
        contentType: writeOptions.contentType,
        metadata: writeOptions.metadata ?? {},
        generation: st.mtimeNs.toString(),
        ...(writeOptions.cacheControl ? { cacheControl: writeOptions.cacheControl } : {}),
      };
      const metaPath = metaPathOf(ref.bucket, ref.name);
      await mkdir(dirname(metaPath), { recursive: true });
      await writeFile(metaPath, JSON.stringify(meta));
      return { info: infoOf(ref.bucket, ref.name, st, meta), created: true };
    },

    async list(bucket: string, prefix: string, listOptions?: ListOptions) {
      const root = rootOf(bucket);
      const glob = listOptions?.matchGlob === undefined ? undefined : compileGlob(listOptions.matchGlob);
      // A name must start with both the prefix and the glob's literal text: the longer one.
      const start = glob ? _longerPrefix(prefix, glob.literalPrefix) : prefix;
      if (start === undefined) return [];
      const names: string[] = [];
      // Start at the deepest folder the prefix names and enter only folders that can match,
      // so listing one job's folder does not cost a walk of the whole bucket.
      const folder = start.slice(0, start.lastIndexOf('/') + 1);
      const scope = { prefix: start, maxSlashes: glob?.maxSlashes ?? Number.POSITIVE_INFINITY };
      await walk(root, join(root, ...folder.split('/').filter(Boolean)), names, scope);
      // Names are filtered before any is stat'ed: a stat and a metadata read per listed object.
      const matching = names
        .filter((n) => n.startsWith(start) && !n.startsWith('.darkroom/') && (!glob || glob.matches(n)))
        .sort();
      const infos = await Promise.all(matching.map((n) => info(bucket, n)));
      return infos.filter((i): i is ObjectInfo => i !== undefined);
    },

    async delete(ref) {
      await rm(pathOf(ref.bucket, ref.name), { force: true });
      await rm(metaPathOf(ref.bucket, ref.name), { force: true });
    },
  };
}

/** An object's info from its file's stat and its metadata file (which holds only for its generation). */
function infoOf(
  bucket: string,
  name: string,
  st: { size: bigint; mtimeNs: bigint },
  meta: MetaFile | undefined,
): ObjectInfo {
  const generation = st.mtimeNs.toString();
  // Metadata written for an earlier generation of the file does not apply to this one.
  const current = meta && meta.generation === generation ? meta : undefined;
  return {
    bucket,
    name,
    generation,
    size: Number(st.size),
    contentType: current?.contentType ?? guessContentType(name),
    metadata: current?.metadata ?? {},
    updated: new Date(Number(st.mtimeNs / 1_000_000n)).toISOString(),
  };
}

/** Which names a walk collects: those starting with `prefix` and holding at most `maxSlashes` `/`. */
interface WalkScope {
  prefix: string;
  maxSlashes: number;
}

async function walk(root: string, dir: string, out: string[], scope: WalkScope): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const name = relative(root, full).split(sep).join('/');
    if (entry.isDirectory()) {
      if (name === '.darkroom') continue;
      const folderName = `${name}/`;
      const reachable = folderName.startsWith(scope.prefix) || scope.prefix.startsWith(folderName);
      // Every name inside holds at least the folder's slashes.
      if (reachable && _slashes(folderName) <= scope.maxSlashes) await walk(root, full, out, scope);
    } else if (entry.isFile() && !entry.name.startsWith('.tmp-')) out.push(name);
  }
}

/** The content type a file's extension suggests (`application/octet-stream` when unknown). */
export function guessContentType(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

/** The longer of two prefixes when one extends the other; undefined when no name has both. */
function _longerPrefix(a: string, b: string): string | undefined {
  if (a.startsWith(b)) return a;
  return b.startsWith(a) ? b : undefined;
}

function _slashes(name: string): number {
  return name.split('/').length - 1;
}
