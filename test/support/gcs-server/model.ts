import { createHash } from 'node:crypto';

/** One live object generation held by the GCS test server. */
export interface StoredObject {
  bucket: string;
  name: string;
  data: Buffer;
  /** Decimal string, like GCS (microseconds since the epoch, unique and increasing here). */
  generation: string;
  metageneration: string;
  contentType: string;
  cacheControl?: string | undefined;
  contentEncoding?: string | undefined;
  contentDisposition?: string | undefined;
  /** RFC 3339; what `days_since_custom_time` lifecycle conditions count from. */
  customTime?: string | undefined;
  metadata: Record<string, string>;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
}

/** The writable fields of an object resource (what an upload's JSON metadata may carry). */
export interface ObjectFields {
  contentType?: string | undefined;
  cacheControl?: string | undefined;
  contentEncoding?: string | undefined;
  contentDisposition?: string | undefined;
  customTime?: string | undefined;
  metadata?: Record<string, unknown> | null | undefined;
}

/**
 * In-memory buckets without object versioning: writing a name replaces its live
 * generation, and earlier generations are gone (404), as in a default GCS bucket.
 */
export class GcsModel {
  readonly buckets = new Map<string, Map<string, StoredObject>>();
  private lastGeneration = 0;
  /** Noncurrent generations by `bucket/name`, kept only with object versioning on. */
  private readonly noncurrent = new Map<string, StoredObject[]>();

  /** @param versioning keep overwritten generations readable by generation, as a versioned bucket does */
  constructor(
    readonly autoCreateBuckets: boolean,
    readonly versioning = false,
  ) {}

  /** The live object, or with versioning a noncurrent generation of it, or undefined. */
  getGeneration(bucket: string, name: string, generation: string): StoredObject | undefined {
    const live = this.get(bucket, name);
    if (live?.generation === generation) return live;
    return this.noncurrent.get(`${bucket}/${name}`)?.find((o) => o.generation === generation);
  }

  /** @returns the bucket's objects, creating the bucket when auto-creation is on */
  bucket(name: string): Map<string, StoredObject> | undefined {
    let found = this.buckets.get(name);
    if (!found && this.autoCreateBuckets) {
      found = new Map();
      this.buckets.set(name, found);
    }
    return found;
  }

  /** Creates an empty bucket (no-op when it exists). */
  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  /** The live object, or undefined. */
  get(bucket: string, name: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(name);
  }

  /** Stores a new generation of `name` (metageneration 1) and returns it. */
  put(bucket: string, name: string, data: Buffer, fields: ObjectFields = {}): StoredObject {
    const objects = this.bucket(bucket);
    if (!objects) throw new Error(`Bucket ${bucket} does not exist`);
    const now = new Date().toISOString();
    const stored: StoredObject = {
      bucket,
      name,
      data: Buffer.from(data),
      generation: this.nextGeneration(),
      metageneration: '1',
      contentType: fields.contentType ?? 'application/octet-stream',
      cacheControl: fields.cacheControl,
      contentEncoding: fields.contentEncoding,
      contentDisposition: fields.contentDisposition,
      customTime: fields.customTime,
      metadata: _stringValues(fields.metadata),
      md5Hash: createHash('md5').update(data).digest('base64'),
      crc32c: crc32cBase64(data),
      timeCreated: now,
      updated: now,
    };
    const previous = objects.get(name);
    if (previous && this.versioning) {
      this.noncurrent.set(`${bucket}/${name}`, [
        ...(this.noncurrent.get(`${bucket}/${name}`) ?? []),
        previous,
      ]);
    }
    objects.set(name, stored);
    return stored;
  }

  /** Applies a metadata patch (null values delete keys) and bumps the metageneration. */
  patch(stored: StoredObject, fields: ObjectFields): StoredObject {
    if (fields.contentType !== undefined) stored.contentType = fields.contentType;
    if (fields.cacheControl !== undefined) stored.cacheControl = fields.cacheControl;
    if (fields.contentDisposition !== undefined) stored.contentDisposition = fields.contentDisposition;
    if (fields.metadata === null) stored.metadata = {};
    else if (fields.metadata) {
      for (const [key, value] of Object.entries(fields.metadata)) {
        if (value === null) delete stored.metadata[key];
        else stored.metadata[key] = String(value);
      }
    }
    stored.metageneration = String(Number(stored.metageneration) + 1);
    stored.updated = new Date().toISOString();
    return stored;
  }

  /** Live objects whose names start with `prefix`, in UTF-8 byte order (as GCS lists). */
  list(bucket: string, prefix = ''): StoredObject[] {
    const objects = [...(this.buckets.get(bucket)?.values() ?? [])].filter((o) => o.name.startsWith(prefix));
    return objects.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  private nextGeneration(): string {
    this.lastGeneration = Math.max(this.lastGeneration + 1, Date.now() * 1000);
    return String(this.lastGeneration);
  }
}

/** The object resource JSON the JSON API returns (int64 fields as strings). */
export function toResource(stored: StoredObject, baseUrl: string): Record<string, unknown> {
  const encoded = encodeURIComponent(stored.name);
  const path = `b/${stored.bucket}/o/${encoded}`;
  return {
    kind: 'storage#object',
    id: `${stored.bucket}/${stored.name}/${stored.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${stored.generation}&alt=media`,
    name: stored.name,
    bucket: stored.bucket,
    generation: stored.generation,
    metageneration: stored.metageneration,
    contentType: stored.contentType,
    storageClass: 'STANDARD',
    size: String(stored.data.length),
    md5Hash: stored.md5Hash,
    crc32c: stored.crc32c,
    etag: etagOf(stored),
    timeCreated: stored.timeCreated,
    updated: stored.updated,
    timeStorageClassUpdated: stored.timeCreated,
    timeFinalized: stored.timeCreated,
    ...(stored.cacheControl !== undefined ? { cacheControl: stored.cacheControl } : {}),
    ...(stored.contentEncoding !== undefined ? { contentEncoding: stored.contentEncoding } : {}),
    ...(stored.contentDisposition !== undefined ? { contentDisposition: stored.contentDisposition } : {}),
    ...(stored.customTime !== undefined ? { customTime: stored.customTime } : {}),
    // GCS leaves the field out when there is no custom metadata.
    ...(Object.keys(stored.metadata).length > 0 ? { metadata: { ...stored.metadata } } : {}),
  };
}

/** A stable etag for one generation and metageneration. */
export function etagOf(stored: StoredObject): string {
  return Buffer.from(`${stored.generation}/${stored.metageneration}`).toString('base64');
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli) of `data`, big-endian and base64-encoded, as GCS reports it. */
export function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

function _stringValues(metadata: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (value !== null && value !== undefined) out[key] = String(value);
  }
  return out;
}
