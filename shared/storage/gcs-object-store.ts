import { createHash } from 'node:crypto';
import {
  type FileMetadata,
  type GetFilesOptions,
  type GetFilesResponse,
  Storage,
  type StorageOptions,
} from '@google-cloud/storage';
import { StoreConflictError, TransientError } from '../errors.js';
import { mapGcsError, statusOf } from './gcs-errors.js';
import {
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectStore,
  ObjectTooLargeError,
  type WriteOptions,
  type WriteResult,
} from './object-store.js';

/** The adapter's `kind`. */
export const GCS_STORE_KIND = 'gcs';

/**
 * Writes of this many bytes or more use a resumable upload; smaller ones one multipart
 * request. The client's own docs recommend `resumable: false` below 10 MB.
 */
export const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;

/** Objects per listing request (the JSON API's maximum). */
export const DEFAULT_LIST_PAGE_SIZE = 1000;

/** Options of {@link createGcsObjectStore}. */
export interface GcsObjectStoreOptions {
  /** A ready client; when given, `projectId`, `apiEndpoint` and `retryOptions` are ignored. */
  storage?: Storage | undefined;
  projectId?: string | undefined;
  /** Custom endpoint; `STORAGE_EMULATOR_HOST` (read by the client) also works. */
  apiEndpoint?: string | undefined;
  /** The client's retry settings (defaults: 3 retries, exponential backoff up to 64 s). */
  retryOptions?: StorageOptions['retryOptions'];
  /** Bytes from which `create` uploads resumably (default {@link DEFAULT_RESUMABLE_THRESHOLD}). */
  resumableThreshold?: number | undefined;
  /** Resumable chunk size (a multiple of 256 KiB); default one request for the whole object. */
  chunkSize?: number | undefined;
  /** Objects per listing page (default {@link DEFAULT_LIST_PAGE_SIZE}). */
  listPageSize?: number | undefined;
}

/**
 * The ObjectStore port on Cloud Storage (`@google-cloud/storage`).
 *
 * Reads pin exact generations, writes are create-only (`ifGenerationMatch: 0`), and
 * failures map to TransientError (`STORAGE_UNAVAILABLE`) or PermanentError
 * (`STORAGE_PERMISSION_DENIED`, `STORAGE_FAILED`).
 * @example
 * const store = createGcsObjectStore(); // honours STORAGE_EMULATOR_HOST
 * const bytes = await store.read({ bucket, name, generation }, { maxBytes: 20_000_000 });
 */
export function createGcsObjectStore(options: GcsObjectStoreOptions = {}): ObjectStore {
  const storage =
    options.storage ??
    new Storage({
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
    });
  const threshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
  const pageSize = options.listPageSize ?? DEFAULT_LIST_PAGE_SIZE;
  const fileOf = (ref: ObjectRef) =>
    storage.bucket(ref.bucket).file(ref.name, ref.generation ? { generation: ref.generation } : {});

  async function metadataOf(ref: ObjectRef): Promise<FileMetadata | undefined> {
    // The client turns generations into numbers and silently drops malformed ones.
    if (ref.generation !== undefined && !_isGeneration(ref.generation)) return undefined;
    try {
      const [metadata] = await fileOf(ref).getMetadata();
      return metadata;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw mapGcsError(err, `stat of ${_describe(ref)}`);
    }
  }

  async function download(ref: ObjectRef, info: ObjectInfo, maxBytes: number | undefined) {
    // Pin the generation just checked, so an overwrite cannot slip other (or larger) bytes in.
    try {
      const [data] = await fileOf({ ...ref, generation: info.generation }).download();
      if (maxBytes !== undefined && data.length > maxBytes) {
        throw new ObjectTooLargeError(ref, data.length, maxBytes);
      }
      return data;
    } catch (err) {
      if (err instanceof ObjectTooLargeError) throw err;
      if (statusOf(err) === 404) return undefined;
      throw mapGcsError(err, `download of ${_describe({ ...ref, generation: info.generation })}`);
    }
  }

  async function sameBytes(existing: FileMetadata, data: Buffer): Promise<boolean> {
    if (Number(existing.size) !== data.length) return false;
    if (existing.md5Hash) return existing.md5Hash === createHash('md5').update(data).digest('base64');
    // Composite objects carry no MD5: compare the bytes themselves.
    const info = _toInfo(existing);
    const stored = await download(info, info, data.length);
    return stored?.equals(data) ?? false;
  }

  const store: ObjectStore = {
    kind: GCS_STORE_KIND,

    async stat(ref) {
      const metadata = await metadataOf(ref);
      return metadata && _toInfo(metadata);
    },

    async read(ref, readOptions) {
      const maxBytes = readOptions?.maxBytes;
      // Without a requested generation, an overwrite between stat and download is retried once.
      for (let attempt = 0; attempt < (ref.generation ? 1 : 2); attempt++) {
        const info = await store.stat(ref);
        if (!info) break;
        if (maxBytes !== undefined && info.size > maxBytes)
          throw new ObjectTooLargeError(ref, info.size, maxBytes);
        const data = await download(ref, info, maxBytes);
        if (data) return data;
      }
      throw new ObjectNotFoundError(ref);
    },

    async create(ref, data, writeOptions): Promise<WriteResult> {
      // A create racing a delete of the conflicting object is retried once.
      for (let attempt = 0; attempt < 2; attempt++) {
        const written = await _upload(storage, ref, data, writeOptions, {
          resumable: data.length >= threshold,
          chunkSize: options.chunkSize,
        });
        if (written) return { info: _toInfo(written), created: true };
        // 412: something is there. It may be our own earlier attempt whose reply was lost.
        const existing = await metadataOf(ref);
        if (!existing) continue;
        if (await sameBytes(existing, data)) return { info: _toInfo(existing), created: false };
        throw new StoreConflictError(
          `Object gs://${ref.bucket}/${ref.name} already exists with different content (generation ${existing.generation}); create-only writes never overwrite`,
          _toInfo(existing),
        );
      }
      throw new TransientError(
        'STORAGE_UNAVAILABLE',
        `Create of gs://${ref.bucket}/${ref.name} kept racing a delete`,
      );
    },

    async list(bucket, prefix, listOptions) {
      const out: ObjectInfo[] = [];
      let query: GetFilesOptions | null = {
        prefix,
        autoPaginate: false,
        maxResults: pageSize,
        ...(listOptions?.matchGlob !== undefined ? { matchGlob: listOptions.matchGlob } : {}),
      };
      try {
        while (query) {
          const page: GetFilesResponse = await storage.bucket(bucket).getFiles(query);
          out.push(...page[0].map((file) => _toInfo(file.metadata)));
          query = (page[1] as GetFilesOptions | null) ?? null;
        }
      } catch (err) {
        throw mapGcsError(err, `listing of gs://${bucket}/${prefix}*`);
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async delete(ref) {
      try {
        await storage.bucket(ref.bucket).file(ref.name).delete({ ignoreNotFound: true });
      } catch (err) {
        if (statusOf(err) !== 404) throw mapGcsError(err, `delete of ${_describe(ref)}`);
      }
    },
  };
  return store;
}

// ─── internals ───────────────────────────────────────────────────────────────

/** Uploads create-only. @returns the new object's metadata, or undefined on 412 (something exists). */
async function _upload(
  storage: Storage,
  ref: Omit<ObjectRef, 'generation'>,
  data: Buffer,
  writeOptions: WriteOptions,
  mode: { resumable: boolean; chunkSize: number | undefined },
): Promise<FileMetadata | undefined> {
  const file = storage.bucket(ref.bucket).file(ref.name);
  try {
    await file.save(data, {
      resumable: mode.resumable,
      ...(mode.resumable && mode.chunkSize ? { chunkSize: mode.chunkSize } : {}),
      contentType: writeOptions.contentType,
      metadata: {
        contentType: writeOptions.contentType,
        ...(writeOptions.cacheControl ? { cacheControl: writeOptions.cacheControl } : {}),
        ...(writeOptions.customTime ? { customTime: writeOptions.customTime.toISOString() } : {}),
        metadata: { ...writeOptions.metadata },
      },
      // Also what makes the client retry the write: RetryConditional only retries conditional writes.
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    return file.metadata;
  } catch (err) {
    if (statusOf(err) === 412) return undefined;
    throw mapGcsError(
      err,
      `${mode.resumable ? 'resumable' : 'multipart'} upload of gs://${ref.bucket}/${ref.name}`,
    );
  }
}

function _toInfo(metadata: FileMetadata): ObjectInfo {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) custom[key] = String(value);
  }
  return {
    bucket: String(metadata.bucket),
    name: String(metadata.name),
    generation: String(metadata.generation),
    size: Number(metadata.size ?? 0),
    contentType: metadata.contentType,
    metadata: custom,
    updated: metadata.updated,
  };
}

function _isGeneration(generation: string): boolean {
  return /^\d{1,16}$/.test(generation) && Number.isSafeInteger(Number(generation));
}

function _describe(ref: ObjectRef): string {
  return `gs://${ref.bucket}/${ref.name}${ref.generation ? `#${ref.generation}` : ''}`;
}
