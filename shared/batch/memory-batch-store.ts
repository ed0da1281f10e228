import type { BatchStore } from './batch-store.js';
import type { BatchMember, BatchMembership, BatchRecord } from './records.js';

/** An in-memory BatchStore for unit tests and the contract suite. */
export function createMemoryBatchStore(): BatchStore {
  const members = new Map<string, BatchMember>();
  const batches = new Map<string, BatchRecord>();
  const memberships = new Map<string, BatchMembership>();
  const copy = <T>(v: T): T => structuredClone(v);
  return {
    async createMember(member) {
      if (members.has(member.key)) return false;
      members.set(member.key, copy(member));
      return true;
    },
    getMember: async (key) => copy(members.get(key)),
    async updateMember(key, patch) {
      const current = members.get(key);
      if (!current) throw new Error(`batchStages/${key} does not exist`);
      const next = { ...current } as Record<string, unknown>;
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else if (v !== undefined) next[k] = copy(v);
      }
      members.set(key, next as unknown as BatchMember);
    },
    async listMembers(filter) {
      return [...members.values()]
        .filter((m) => m.state === filter.state && (!filter.model || m.model === filter.model))
        .sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || a.key.localeCompare(b.key))
        .map(copy);
    },
    async createBatch(batch) {
      if (batches.has(batch.id)) return false;
      batches.set(batch.id, copy(batch));
      return true;
    },
    getBatch: async (id) => copy(batches.get(id)),
    async updateBatch(id, patch) {
      const current = batches.get(id);
      if (!current) throw new Error(`batches/${id} does not exist`);
      batches.set(id, { ...current, ...copy(patch) });
    },
    async listBatches(filter) {
      return [...batches.values()]
        .filter((b) => filter.states.includes(b.state))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map(copy);
    },
    async claimMembership(membership) {
      const id = `${membership.key}.r${membership.round}`;
      const existing = memberships.get(id);
      if (existing) return copy(existing);
      memberships.set(id, copy(membership));
      return copy(membership);
    },
  };
}
