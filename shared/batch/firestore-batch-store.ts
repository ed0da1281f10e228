import type { Firestore } from '@google-cloud/firestore';
import { recordConverter, toFirestoreData } from '../lineage/firestore-converter.js';
import type { BatchStore } from './batch-store.js';
import { BatchMemberSchema, BatchMembershipSchema, type BatchRecord, BatchRecordSchema } from './records.js';

/** gRPC status of a create() that found a document. */
const ALREADY_EXISTS = 6;

/**
 * The BatchStore on Cloud Firestore: `batchStages/{key}`, `batches/{id}` and
 * `batchMemberships/{key}.r{round}`. Queries use one equality filter each and sort in memory,
 * so no composite index is needed. Reads parse each document with its record schema (a mismatch
 * is LINEAGE_RECORD_INVALID naming the document); a field patched to `null` reads as absent.
 * @param options.prefix collection prefix, for sharing a database (default: none)
 */
export function createFirestoreBatchStore(options: { firestore: Firestore; prefix?: string }): BatchStore {
  const db = options.firestore;
  const prefix = options.prefix ?? '';
  const members = () => db.collection(`${prefix}batchStages`).withConverter(MEMBER_CONVERTER);
  const batches = () => db.collection(`${prefix}batches`).withConverter(BATCH_CONVERTER);
  const memberships = () => db.collection(`${prefix}batchMemberships`).withConverter(MEMBERSHIP_CONVERTER);

  async function createOnly(ref: FirebaseFirestore.DocumentReference, data: object): Promise<boolean> {
    try {
      await ref.withConverter(null).create(toFirestoreData(data));
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
      throw err;
    }
  }
  async function read<T>(ref: FirebaseFirestore.DocumentReference<T>): Promise<T | undefined> {
    return (await ref.get()).data();
  }
  async function patch(ref: FirebaseFirestore.DocumentReference, fields: object): Promise<void> {
    // null, not FieldValue.delete(): the in-process emulator ignores field deletes; reads drop nulls.
    const data = toFirestoreData(fields);
    await ref.withConverter(null).set(data, { mergeFields: Object.keys(data) });
  }

  return {
    createMember: (member) => createOnly(members().doc(member.key), member),
    getMember: (key) => read(members().doc(key)),
    updateMember: (key, fields) => patch(members().doc(key), fields),
    async listMembers(filter) {
      let query = members().where('state', '==', filter.state);
      if (filter.model) query = query.where('model', '==', filter.model);
      const snap = await query.get();
      return snap.docs
        .map((d) => d.data())
        .sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || a.key.localeCompare(b.key));
    },
    createBatch: (batch) => createOnly(batches().doc(batch.id), batch),
    getBatch: (id) => read(batches().doc(id)),
    updateBatch: (id, fields) => patch(batches().doc(id), fields),
    async listBatches(filter) {
      const found: BatchRecord[] = [];
      for (const state of filter.states) {
        const snap = await batches().where('state', '==', state).get();
        found.push(...snap.docs.map((d) => d.data()));
      }
      return found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },
    async claimMembership(membership) {
      const ref = memberships().doc(`${membership.key}.r${membership.round}`);
      if (await createOnly(ref, membership)) return membership;
      const existing = await read(ref);
      // create() found it, so it exists; undefined only if it was deleted in between.
      if (!existing) throw new Error(`${ref.path} vanished after its create-only write found it`);
      return existing;
    },
  };
}

// ── internal ──────────────────────────────────────────────────────────────

// A patch clears `batchId`, `error` or `response` with null; reads drop null fields at any depth, as before.
const MEMBER_CONVERTER = recordConverter(BatchMemberSchema, { nulls: 'everywhere' });
const BATCH_CONVERTER = recordConverter(BatchRecordSchema, { nulls: 'everywhere' });
const MEMBERSHIP_CONVERTER = recordConverter(BatchMembershipSchema, { nulls: 'everywhere' });
