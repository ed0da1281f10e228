/**
 * Batch-lane records in Firestore: `batchStages/{key}` (a stage waiting for, or answered by, a
 * batch job), `batches/{id}` (one batch job, recorded before it is created) and
 * `batchMemberships/{key}.r{round}` (create-only: a stage joins at most one batch per round).
 */
import type { Location } from '../lineage/records.js';

/** Where a stage is in the batch lane. */
export type BatchMemberState = 'waiting' | 'submitted' | 'succeeded' | 'failed';

/** `batchStages/{key}`; the key names job, stage and variant: `{jobId}.s{stage}.v{variant}`. */
export interface BatchMember {
  key: string;
  jobId: string;
  stage: number;
  variant: number;
  engine: string;
  model: string;
  state: BatchMemberState;
  /** The prepared request (JSON), stored beside the job's outputs: images do not fit a document. */
  request: Location;
  /** Size of the prepared request in bytes, for the inline limit. */
  bytes: number;
  /** Facts of the prepared request kept for lineage (what was sent, the seed). */
  details?: Record<string, unknown> | undefined;
  waitingSince: Date;
  /** 0 for the first batch; each resubmission after an expiry adds one. */
  round: number;
  batchId?: string | undefined;
  /** The stored response (JSON), once the batch succeeded for this key. */
  response?: Location | undefined;
  error?: { code: string; message: string } | undefined;
  updatedAt: Date;
}

/** Where a batch job is. `submitting`: recorded, maybe created, its name not yet known. */
export type BatchState = 'submitting' | 'submitted' | 'succeeded' | 'failed' | 'expired' | 'cancelled';

/** `batches/{id}`: the batch job's id is its `displayName`, so a lost create can be found again. */
export interface BatchRecord {
  id: string;
  model: string;
  state: BatchState;
  /** Member keys, in request order. */
  keys: string[];
  /** Round of every member in this batch (their membership records carry it). */
  rounds: Record<string, number>;
  /** `batches/…`, once the service answered the create (or a listing found it). */
  name?: string | undefined;
  /**
   * Inline requests, or one JSONL file through the Files API: its name is recorded once uploaded
   * (it is named after the batch, so an upload whose answer was lost is found, not repeated).
   */
  input?: { kind: 'inline'; bytes: number } | { kind: 'file'; bytes: number; fileName?: string } | undefined;
  remoteState?: string | undefined;
  /** Set by `darkroom batch cancel` before it cancels the job: its stages are never resubmitted. */
  cancelledBy?: { by: string; at: Date } | undefined;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | undefined;
}

/** `batchMemberships/{key}.r{round}`. */
export interface BatchMembership {
  key: string;
  round: number;
  batchId: string;
  createdAt: Date;
}

/** The states after which a batch takes no more work. */
export const FINISHED_BATCH_STATES: readonly BatchState[] = ['succeeded', 'failed', 'expired', 'cancelled'];

/**
 * @returns the member key of a job's stage variant
 * @example memberKey('0a1b…', 2, 1) // '0a1b….s2.v1'
 */
export function memberKey(jobId: string, stage: number, variant: number): string {
  return `${jobId}.s${stage}.v${variant}`;
}
