import type { BatchMember, BatchMembership, BatchRecord, BatchState } from './records.js';

/**
 * The BatchStore port: the batch lane's records (records.ts). Exclusive steps are create-only,
 * the one conditional write Firestore and its emulators all enforce.
 */
export interface BatchStore {
  /** @returns false when the stage already has a record (nothing is written) */
  createMember(member: BatchMember): Promise<boolean>;
  getMember(key: string): Promise<BatchMember | undefined>;
  /** Replaces the given top-level fields; `null` removes one. */
  updateMember(key: string, patch: MemberPatch): Promise<void>;
  /** Members in one state, oldest wait first. */
  listMembers(filter: { state: BatchMember['state']; model?: string | undefined }): Promise<BatchMember[]>;
  /** @returns false when a batch with that id exists */
  createBatch(batch: BatchRecord): Promise<boolean>;
  getBatch(id: string): Promise<BatchRecord | undefined>;
  updateBatch(id: string, patch: Partial<BatchRecord>): Promise<void>;
  /** Batches in the given states, oldest first. */
  listBatches(filter: { states: readonly BatchState[] }): Promise<BatchRecord[]>;
  /**
   * Joins a stage to a batch for one round, create-only.
   * @returns the membership now on record: this one, or the one another batch made first
   */
  claimMembership(membership: BatchMembership): Promise<BatchMembership>;
}

/** A change to a member: fields to replace, `null` to remove `batchId`, `error` or `response`. */
export type MemberPatch = {
  [K in keyof BatchMember]?: K extends 'batchId' | 'error' | 'response'
    ? BatchMember[K] | null
    : BatchMember[K];
};
