/**
 * The ObjectStore port: buckets of named, generation-versioned objects.
 * Adapters: `fs` (a local folder behaves as a bucket) and `gcs` (Cloud Storage).
 */

/** Names one object, optionally at one exact generation. */
export interface ObjectRef {
  bucket: string;
  name: string;
  /** Exact generation (kept as a string: GCS generations approach 2^53). */
  generation?: string | undefined;
}

/** Facts about a stored object. */
export interface ObjectInfo {
  bucket: string;
  name: string;
  generation: string;
  size: number;
  contentType?: string | undefined;
  /** Custom metadata (string values only, as in GCS). */
  metadata: Record<string, string>;
  /** ISO time of the last write. */
  updated?: string | undefined;
}

/** Options of a write. */
export interface WriteOptions {
  contentType: string;
  metadata?: Record<string, string> | undefined;
  cacheControl?: string | undefined;
  /**
   * GCS `customTime`. Set on stage intermediates only, so that a bucket lifecycle rule
   * (`days_since_custom_time`) can expire them without touching final outputs.
   */
  customTime?: Date | undefined;
}

/** The outcome of a create-only write. */
export interface WriteResult {
  info: ObjectInfo;
  /** false when an identical object was already there (counts as written). */
  created: boolean;
}

/** Options of a listing. */
export interface ListOptions {
  /** A Cloud Storage glob the whole object name must match, e.g. `photos/*.json`. */
  matchGlob?: string | undefined;
}

/** A bucket-like object store. */
export interface ObjectStore {
  /** Adapter name, e.g. `fs` or `gcs`. */
  readonly kind: string;
  /**
   * Facts about an object.
   * @returns undefined when it does not exist, or not at the requested generation
   */
  stat(ref: ObjectRef): Promise<ObjectInfo | undefined>;
  /**
   * The bytes of an object (of the exact generation when one is given).
   * @param options.maxBytes refuse larger objects before reading them
   * @throws ObjectNotFoundError when missing or overwritten since
   * @throws ObjectTooLargeError when larger than `maxBytes`
   */
  read(ref: ObjectRef, options?: { maxBytes?: number }): Promise<Buffer>;
  /**
   * Create-only write. An existing object with identical bytes counts as written
   * (`created: false`); an existing different object throws StoreConflictError.
   */
  create(ref: Omit<ObjectRef, 'generation'>, data: Buffer, options: WriteOptions): Promise<WriteResult>;
  /**
   * Objects whose names start with `prefix`, sorted by name.
   * @param options.matchGlob keep only objects whose whole name also matches this glob, with
   *   Cloud Storage `matchGlob` semantics (see `match-glob.ts`); escape literal parts with
   *   `escapeGlob`
   * @throws InvalidGlobError (fs) or PermanentError (gcs) for a glob Cloud Storage refuses
   */
  list(bucket: string, prefix: string, options?: ListOptions): Promise<ObjectInfo[]>;
  /** Deletes an object; a missing object is not an error. */
  delete(ref: Omit<ObjectRef, 'generation'>): Promise<void>;
}

/** The object (or the requested generation of it) does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(readonly ref: ObjectRef) {
    super(
      `Object ${ref.bucket}/${ref.name}${ref.generation ? `#${ref.generation}` : ''} does not exist (deleted or overwritten)`,
    );
    this.name = 'ObjectNotFoundError';
  }
}

/** The object is larger than the caller allowed. */
export class ObjectTooLargeError extends Error {
  constructor(
    readonly ref: ObjectRef,
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`Object ${ref.bucket}/${ref.name} is ${size} bytes; the limit is ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}
