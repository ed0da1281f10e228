import { type Firestore, Timestamp } from '@google-cloud/firestore';
import type { BatchStore } from './batch-store.js';
import type { BatchMember, BatchMembership, BatchRecord } from './records.js';

/** gRPC status of a create() that found a document. */
const ALREADY_EXISTS = 6;

/**
 * The BatchStore on Cloud Firestore: `batchStages/{key}`, `batches/{id}` and
 * `batchMemberships/{key}.r{round}`. Queries use one equality filter each and sort in memory,
 * so no composite index is needed.
 * @param options.prefix collection prefix, for sharing a database (default: none)
 */
export function createFirestoreBatchStore(options: { firestore: Firestore; prefix?: string }): BatchStore {
  const db = options.firestore;
  const prefix = options.prefix ?? '';
  const members = () => db.collection(`${prefix}batchStages`);
  const batches = () => db.collection(`${prefix}batches`);
  const memberships = () => db.collection(`${prefix}batchMemberships`);

  async function createOnly(ref: FirebaseFirestore.DocumentReference, data: object): Promise<boolean> {
    try {
      await ref.create(_clean(data) as FirebaseFirestore.DocumentData);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
      throw err;
    }
  }
  async function read<T>(ref: FirebaseFirestore.DocumentReference): Promise<T | undefined> {
    const snap = await ref.get();
    return snap.exists ? (_fromFirestore(snap.data()) as T) : undefined;
  }
  async function patch(ref: FirebaseFirestore.DocumentReference, fields: object): Promise<void> {
    // null, not FieldValue.delete(): the in-process emulator ignores field deletes; reads drop nulls.
    const data = _clean(fields) as FirebaseFirestore.DocumentData;
    await ref.set(data, { mergeFields: Object.keys(data) });
  }

  return {
    createMember: (member) => createOnly(members().doc(member.key), member),
    getMember: (key) => read<BatchMember>(members().doc(key)),
    updateMember: (key, fields) => patch(members().doc(key), fields),
    async listMembers(filter) {
      let query: FirebaseFirestore.Query = members().where('state', '==', filter.state);
      if (filter.model) query = query.where('model', '==', filter.model);
      const snap = await query.get();
      return snap.docs
        .map((d) => _fromFirestore(d.data()) as BatchMember)
        .sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || a.key.localeCompare(b.key));
    },
    createBatch: (batch) => createOnly(batches().doc(batch.id), batch),
    getBatch: (id) => read<BatchRecord>(batches().doc(id)),
    updateBatch: (id, fields) => patch(batches().doc(id), fields),
    async listBatches(filter) {
      const found: BatchRecord[] = [];
      for (const state of filter.states) {
        const snap = await batches().where('state', '==', state).get();
        found.push(...snap.docs.map((d) => _fromFirestore(d.data()) as BatchRecord));
      }
      return found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },
    async claimMembership(membership) {
      const ref = memberships().doc(`${membership.key}.r${membership.round}`);
      if (await createOnly(ref, membership)) return membership;
      return (await read<BatchMembership>(ref)) as BatchMembership;
    },
  };
}

// ── internal ──────────────────────────────────────────────────────────────

function _clean(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Timestamp)
    return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(_clean);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = _clean(v);
  return out;
}

function _fromFirestore(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map(_fromFirestore);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== null);
    return Object.fromEntries(entries.map(([k, v]) => [k, _fromFirestore(v)]));
  }
  return value;
}
