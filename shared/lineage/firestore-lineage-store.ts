import { FieldValue, type Firestore, Timestamp } from '@google-cloud/firestore';
import { describeError, PermanentError } from '../errors.js';
import { fenceHolds } from './fence.js';
import type { LineageStore } from './lineage-store.js';
import type { AssetRecord, AttemptRecord, CachedStage, JobRecord, StageRecord } from './records.js';

export const FIRESTORE_LINEAGE_KIND = 'firestore';

/** gRPC status of a create() that found a document. */
const ALREADY_EXISTS = 6;
/** gRPC status of a write the service refuses as malformed (retrying sends the same). */
const INVALID_ARGUMENT = 3;

/** Options of {@link createFirestoreLineageStore}. */
export interface FirestoreLineageStoreOptions {
  firestore: Firestore;
  /** Collection prefix, for sharing a database (default: none). */
  prefix?: string;
}

/**
 * The LineageStore on Cloud Firestore: `jobs/{jobId}`, `jobs/{jobId}/stages/{NN}`,
 * `jobs/{jobId}/attempts/{n}` and `assets/{sha256}`. Exclusive steps use `create()`,
 * whose ALREADY_EXISTS failure is the one conditional write every backend enforces.
 */
export function createFirestoreLineageStore(options: FirestoreLineageStoreOptions): LineageStore {
  const db = options.firestore;
  const prefix = options.prefix ?? '';
  const jobs = () => db.collection(`${prefix}jobs`);
  const assets = () => db.collection(`${prefix}assets`);
  const stageCache = () => db.collection(`${prefix}stageCache`);

  async function createOnly(ref: FirebaseFirestore.DocumentReference, data: object): Promise<boolean> {
    try {
      await ref.create(toFirestore(data));
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
      throw rejectedOrSame(err, ref.path);
    }
  }

  return {
    createJob: (job) => createOnly(jobs().doc(job.id), job),

    async getJob(jobId) {
      const snap = await jobs().doc(jobId).get();
      return snap.exists ? jobOf(snap.data()) : undefined;
    },

    async updateJob(jobId, patch) {
      const data = toFirestore(patch);
      // Each top-level field of the patch replaces the stored one (as in the memory store).
      // A deep merge would need field paths for map keys such as label `product-id`, which
      // the in-process emulator drops.
      const fields = Object.keys(data);
      try {
        await jobs().doc(jobId).set(data, { mergeFields: fields });
      } catch (err) {
        throw rejectedOrSame(err, `jobs/${jobId}`);
      }
    },

    async updateJobIfCurrent(jobId, update) {
      const ref = jobs().doc(jobId);
      try {
        // Reads lock the job until commit (pessimistic concurrency on Standard edition), so
        // a concurrent fenced write waits or is retried by runTransaction, never interleaves.
        return await db.runTransaction(async (tx) => {
          const snap = await tx.get(ref);
          const job = snap.exists ? jobOf(snap.data()) : undefined;
          if (!fenceHolds(job, update.fence)) return false;
          if (update.newAttempt) {
            const attemptRef = ref.collection('attempts').doc(String(update.newAttempt.attempt));
            tx.create(attemptRef, toFirestore(update.newAttempt));
          }
          const data = toFirestore(update.patch);
          tx.set(ref, data, { mergeFields: Object.keys(data) });
          return true;
        });
      } catch (err) {
        // The attempt document exists: another takeover of the same attempt number won.
        if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
        throw rejectedOrSame(err, `jobs/${jobId}`);
      }
    },

    createAttempt: (jobId, attempt: AttemptRecord) =>
      createOnly(jobs().doc(jobId).collection('attempts').doc(String(attempt.attempt)), attempt),

    createStage: (jobId, stage: StageRecord) =>
      createOnly(jobs().doc(jobId).collection('stages').doc(stageDocId(stage.index)), stage),

    async listStages(jobId) {
      const snap = await jobs().doc(jobId).collection('stages').get();
      return snap.docs.map((d) => fromFirestore(d.data()) as StageRecord).sort((a, b) => a.index - b.index);
    },

    async putAsset(asset: AssetRecord) {
      const ref = assets().doc(asset.id);
      if (await createOnly(ref, asset)) return;
      if (asset.derivedFrom.length > 0) {
        await ref.update({ derivedFrom: FieldValue.arrayUnion(...asset.derivedFrom) });
      }
    },

    async getAsset(assetId) {
      const snap = await assets().doc(assetId).get();
      return snap.exists ? (fromFirestore(snap.data()) as AssetRecord) : undefined;
    },

    async getCachedStage(key) {
      const snap = await stageCache().doc(key).get();
      return snap.exists ? (fromFirestore(snap.data()) as CachedStage) : undefined;
    },

    async putCachedStage(entry) {
      await createOnly(stageCache().doc(entry.key), entry);
    },

    async listJobs(filter) {
      let query: FirebaseFirestore.Query = jobs();
      if (filter?.sourceKey) query = query.where('sourceKey', '==', filter.sourceKey);
      query = query.orderBy('createdAt', 'desc');
      if (filter?.limit) query = query.limit(filter.limit);
      const snap = await query.get();
      return snap.docs.map((d) => jobOf(d.data()));
    },
  };
}

/**
 * A write Firestore can never accept (the client's own validation, which throws before sending:
 * nesting over 20 levels, a bad field name; or the service's INVALID_ARGUMENT) is permanent, so
 * that it is not retried as INTERNAL until the attempts run out. Anything else is rethrown as is.
 */
function rejectedOrSame(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown }).code;
  const clientSide = err instanceof Error && code === undefined && /not a valid Firestore/.test(err.message);
  if (!clientSide && code !== INVALID_ARGUMENT) return err;
  return new PermanentError(
    'LINEAGE_REJECTED',
    `Firestore refused the write of ${path}: ${describeError(err)}`,
    {
      cause: err,
    },
  );
}

/** Stage documents sort by name: `01`, `02`, … */
export function stageDocId(index: number): string {
  return String(index).padStart(2, '0');
}

/** Drops `undefined` (Firestore refuses it) and keeps Dates (stored as Timestamps). */
function toFirestore(value: object): FirebaseFirestore.DocumentData {
  return clean(value) as FirebaseFirestore.DocumentData;
}

function clean(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Timestamp)
    return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(clean);
  if (value instanceof FieldValue) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clean(v);
  return out;
}

/** A job document as a record; a field cleared with null (a stale error) reads as absent. */
function jobOf(data: FirebaseFirestore.DocumentData | undefined): JobRecord {
  // null, not FieldValue.delete(): the in-process emulator ignores field deletes.
  const fields = Object.entries(fromFirestore(data) as Record<string, unknown>);
  return Object.fromEntries(fields.filter(([, v]) => v !== null)) as unknown as JobRecord;
}

/** Turns Timestamps back into Dates, recursively. */
function fromFirestore(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map(fromFirestore);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromFirestore(v)]));
  }
  return value;
}
