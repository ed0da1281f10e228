import { parseRecord } from '../lineage/parse-record.js';
import type { BatchStore } from './batch-store.js';
import {
  type BatchMember,
  BatchMemberSchema,
  type BatchMembership,
  BatchMembershipSchema,
  type BatchRecord,
  BatchRecordSchema,
} from './records.js';

/**
 * An in-memory BatchStore for unit tests and the contract suite. Records are copied in and
 * out and parsed with their schema on the way out, as the Firestore store's converters do.
 */
export function createMemoryBatchStore(): BatchStore {
  const members = new Map<string, Record<string, unknown>>();
  const batches = new Map<string, Record<string, unknown>>();
  const memberships = new Map<string, BatchMembership>();
  const copy = <T>(v: T): T => structuredClone(v);
  const readMember = (key: string, m: unknown): BatchMember =>
    parseRecord(BatchMemberSchema, copy(m), `batchStages/${key}`);
  const readBatch = (id: string, b: unknown): BatchRecord =>
    parseRecord(BatchRecordSchema, copy(b), `batches/${id}`);
  const readMembership = (id: string, m: unknown): BatchMembership =>
    parseRecord(BatchMembershipSchema, copy(m), `batchMemberships/${id}`);
  return {
    async createMember(member) {
      if (members.has(member.key)) return false;
      members.set(member.key, copy(member));
      return true;
    },
    async getMember(key) {
      const found = members.get(key);
      return found && readMember(key, found);
    },
    async updateMember(key, patch) {
      const current = members.get(key);
      if (!current) throw new Error(`batchStages/${key} does not exist`);
      const next = { ...current };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else if (v !== undefined) next[k] = copy(v);
      }
      members.set(key, next);
    },
    async listMembers(filter) {
      return [...members.entries()]
        .filter(([, m]) => m.state === filter.state && (!filter.model || m.model === filter.model))
        .map(([key, m]) => readMember(key, m))
        .sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || a.key.localeCompare(b.key));
    },
    async createBatch(batch) {
      if (batches.has(batch.id)) return false;
      batches.set(batch.id, copy(batch));
      return true;
    },
    async getBatch(id) {
      const found = batches.get(id);
      return found && readBatch(id, found);
    },
    async updateBatch(id, patch) {
      const current = batches.get(id);
      if (!current) throw new Error(`batches/${id} does not exist`);
      batches.set(id, { ...current, ...copy(patch) });
    },
    async listBatches(filter) {
      return [...batches.entries()]
        .filter(([, b]) => (filter.states as readonly unknown[]).includes(b.state))
        .map(([id, b]) => readBatch(id, b))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },
    async claimMembership(claimed) {
      const id = `${claimed.key}.r${claimed.round}`;
      const existing = memberships.get(id);
      if (existing) return readMembership(id, existing);
      memberships.set(id, copy(claimed));
      return readMembership(id, claimed);
    },
  };
}
