/**
 * Batch-lane records in Firestore: `batchStages/{key}` (a stage waiting for, or answered by, a
 * batch job), `batches/{id}` (one batch job, recorded before it is created) and
 * `batchMemberships/{key}.r{round}` (create-only: a stage joins at most one batch per round).
 * Each is a zod schema; the stores parse what they read with it.
 */
import { z } from 'zod';
import { LocationSchema } from '../lineage/records.js';

/** Where a stage is in the batch lane. */
export const BATCH_MEMBER_STATES = ['waiting', 'submitted', 'succeeded', 'failed'] as const;
export type BatchMemberState = (typeof BATCH_MEMBER_STATES)[number];

/** `batchStages/{key}`; the key names job, stage and variant: `{jobId}.s{stage}.v{variant}`. */
export const BatchMemberSchema = z.object({
  key: z.string(),
  jobId: z.string(),
  stage: z.number(),
  variant: z.number(),
  engine: z.string(),
  model: z.string(),
  state: z.enum(BATCH_MEMBER_STATES),
  /** The prepared request (JSON), stored beside the job's outputs: images do not fit a document. */
  request: LocationSchema,
  /** Size of the prepared request in bytes, for the inline limit. */
  bytes: z.number(),
  /** Facts of the prepared request kept for lineage (what was sent, the seed). */
  details: z.record(z.string(), z.unknown()).optional(),
  waitingSince: z.date(),
  /** 0 for the first batch; each resubmission after an expiry adds one. */
  round: z.number(),
  batchId: z.string().optional(),
  /** The stored response (JSON), once the batch succeeded for this key. */
  response: LocationSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  updatedAt: z.date(),
});
export type BatchMember = z.infer<typeof BatchMemberSchema>;

/** Where a batch job is. `submitting`: recorded, maybe created, its name not yet known. */
export const BATCH_STATES = [
  'submitting',
  'submitted',
  'succeeded',
  'failed',
  'expired',
  'cancelled',
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** `batches/{id}`: the batch job's id is its `displayName`, so a lost create can be found again. */
export const BatchRecordSchema = z.object({
  id: z.string(),
  model: z.string(),
  state: z.enum(BATCH_STATES),
  /** Member keys, in request order. */
  keys: z.array(z.string()),
  /** Round of every member in this batch (their membership records carry it). */
  rounds: z.record(z.string(), z.number()),
  /** `batches/…`, once the service answered the create (or a listing found it). */
  name: z.string().optional(),
  /**
   * Inline requests, or one JSONL file through the Files API: its name is recorded once uploaded
   * (it is named after the batch, so an upload whose answer was lost is found, not repeated).
   */
  input: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('inline'), bytes: z.number() }),
      z.object({ kind: z.literal('file'), bytes: z.number(), fileName: z.string().optional() }),
    ])
    .optional(),
  remoteState: z.string().optional(),
  /** Set by `darkroom batch cancel` before it cancels the job: its stages are never resubmitted. */
  cancelledBy: z.object({ by: z.string(), at: z.date() }).optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().optional(),
});
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/** `batchMemberships/{key}.r{round}`. */
export const BatchMembershipSchema = z.object({
  key: z.string(),
  round: z.number(),
  batchId: z.string(),
  createdAt: z.date(),
});
export type BatchMembership = z.infer<typeof BatchMembershipSchema>;

/** The states after which a batch takes no more work. */
export const FINISHED_BATCH_STATES: readonly BatchState[] = ['succeeded', 'failed', 'expired', 'cancelled'];

/**
 * @returns the member key of a job's stage variant
 * @example memberKey('0a1b…', 2, 1) // '0a1b….s2.v1'
 */
export function memberKey(jobId: string, stage: number, variant: number): string {
  return `${jobId}.s${stage}.v${variant}`;
}
