import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { describeError, PermanentError } from '../errors.js';
import { fenceHolds } from './fence.js';
import { recordConverter, toFirestoreData } from './firestore-converter.js';
import type { LineageStore } from './lineage-store.js';
import {
  type AssetRecord,
  AssetRecordSchema,
  type AttemptRecord,
  CachedStageSchema,
  type JobRecord,
  JobRecordSchema,
  type StageRecord,
  StageRecordSchema,
} from './records.js';

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
 * whose ALREADY_EXISTS failure is the one conditional write every backend enforces. Every
 * read goes through the record's converter (firestore-converter.ts): a document that does not
 * match its schema is a LINEAGE_RECORD_INVALID error naming it.
 */
export function createFirestoreLineageStore(options: FirestoreLineageStoreOptions): LineageStore {
  const db = options.firestore;
  const prefix = options.prefix ?? '';
  const jobs = () => db.collection(`${prefix}jobs`).withConverter(JOB_CONVERTER);
  const stages = (jobId: string) =>
    db.collection(`${prefix}jobs`).doc(jobId).collection('stages').withConverter(STAGE_CONVERTER);
  const assets = () => db.collection(`${prefix}assets`).withConverter(ASSET_CONVERTER);
  const stageCache = () => db.collection(`${prefix}stageCache`).withConverter(CACHED_STAGE_CONVERTER);
  // Patches (`error: null` clears) and attempt records are written as plain data.
  const jobDoc = (jobId: string) => db.collection(`${prefix}jobs`).doc(jobId);

  async function createOnly(ref: FirebaseFirestore.DocumentReference, data: object): Promise<boolean> {
    try {
      await ref.withConverter(null).create(toFirestoreData(data));
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
      throw rejectedOrSame(err, ref.path);
    }
  }

  return {
    async createJob(job, firstAttempt) {
      const ref = jobs().doc(job.id);
      if (!firstAttempt) return createOnly(ref, job);
      // One commit of two create-only writes: both land, or (the job exists) neither does.
      const attempt = jobDoc(job.id).collection('attempts').doc(String(firstAttempt.attempt));
      try {
        await db
          .batch()
          .create(ref.withConverter(null), toFirestoreData(job))
          .create(attempt.withConverter(null), toFirestoreData(firstAttempt))
          .commit();
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
        throw rejectedOrSame(err, ref.path);
      }
    },

    async getJob(jobId) {
      const snap = await jobs().doc(jobId).get();
      return snap.data();
    },

    async updateJob(jobId, patch) {
      const data = toFirestoreData(patch);
      // Each top-level field of the patch replaces the stored one (as in the memory store).
      // A deep merge would need field paths for map keys such as label `product-id`, which
      // the in-process emulator drops.
      const fields = Object.keys(data);
      try {
        await jobDoc(jobId).set(data, { mergeFields: fields });
      } catch (err) {
        throw rejectedOrSame(err, `jobs/${jobId}`);
      }
    },

    async updateJobIfCurrent(jobId, update) {
      const ref = jobs().doc(jobId);
      const raw = jobDoc(jobId);
      try {
        // Reads lock the job until commit (pessimistic concurrency on Standard edition), so
        // a concurrent fenced write waits or is retried by runTransaction, never interleaves.
        return await db.runTransaction(async (tx) => {
          const snap = await tx.get(ref);
          if (!fenceHolds(snap.data(), update.fence)) return false;
          if (update.newAttempt) {
            const attemptRef = raw.collection('attempts').doc(String(update.newAttempt.attempt));
            tx.create(attemptRef, toFirestoreData(update.newAttempt));
          }
          const data = toFirestoreData(update.patch);
          tx.set(raw, data, { mergeFields: Object.keys(data) });
          return true;
        });
      } catch (err) {
        // The attempt document exists: another takeover of the same attempt number won.
        if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
        throw rejectedOrSame(err, `jobs/${jobId}`);
      }
    },

    createAttempt: (jobId, attempt: AttemptRecord) =>
      createOnly(jobDoc(jobId).collection('attempts').doc(String(attempt.attempt)), attempt),

    createStage: (jobId, stage: StageRecord) => createOnly(stages(jobId).doc(stageDocId(stage.index)), stage),

    async listStages(jobId) {
      const snap = await stages(jobId).get();
      return snap.docs.map((d) => d.data()).sort((a, b) => a.index - b.index);
    },

    async putAsset(asset: AssetRecord) {
      const ref = assets().doc(asset.id);
      if (await createOnly(ref, asset)) return;
      if (asset.derivedFrom.length > 0) {
        await ref.withConverter(null).update({ derivedFrom: FieldValue.arrayUnion(...asset.derivedFrom) });
      }
    },

    async getAsset(assetId) {
      const snap = await assets().doc(assetId).get();
      return snap.data();
    },

    async getCachedStage(key) {
      const snap = await stageCache().doc(key).get();
      return snap.data();
    },

    async putCachedStage(entry) {
      await createOnly(stageCache().doc(entry.key), entry);
    },

    async listJobs(filter) {
      let query = jobs() as FirebaseFirestore.Query<JobRecord>;
      if (filter?.sourceKey) query = query.where('sourceKey', '==', filter.sourceKey);
      query = query.orderBy('createdAt', 'desc');
      if (filter?.limit) query = query.limit(filter.limit);
      const snap = await query.get();
      return snap.docs.map((d) => d.data());
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

// ── internal ──────────────────────────────────────────────────────────────

const JOB_CONVERTER = recordConverter(JobRecordSchema);
const STAGE_CONVERTER = recordConverter(StageRecordSchema);
const ASSET_CONVERTER = recordConverter(AssetRecordSchema);
const CACHED_STAGE_CONVERTER = recordConverter(CachedStageSchema);
