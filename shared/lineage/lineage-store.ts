import type { FencedJobUpdate } from './fence.js';
import type { AssetRecord, AttemptRecord, CachedStage, JobPatch, JobRecord, StageRecord } from './records.js';

export type { JobPatch } from './records.js';

/**
 * The LineageStore port. Conditional writes are create-only: they are the one
 * primitive whose guarantee holds on Firestore and on the emulator alike, so every
 * exclusive step of the pipeline (claiming a job, taking over an attempt,
 * recording a stage) is built on them.
 */
export interface LineageStore {
  /**
   * Creates the job, and with `firstAttempt` its `attempts/{n}` record in the same atomic write.
   * @returns false when the job already exists (nothing is written)
   */
  createJob(job: JobRecord, firstAttempt?: AttemptRecord): Promise<boolean>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** Merges `patch` into the job; a top-level `null` removes that field. */
  updateJob(jobId: string, patch: JobPatch): Promise<void>;
  /**
   * Merges `update.patch` into the job (and creates `update.newAttempt`) in one atomic
   * step, only while `update.fence` holds: a Firestore transaction, so no other attempt's
   * write can come between the check and the write.
   * @returns false when the fence does not hold or the attempt exists (nothing is written)
   */
  updateJobIfCurrent(jobId: string, update: FencedJobUpdate): Promise<boolean>;
  /** @returns false when that attempt number was already taken */
  createAttempt(jobId: string, attempt: AttemptRecord): Promise<boolean>;
  /** @returns false when the stage was already recorded */
  createStage(jobId: string, stage: StageRecord): Promise<boolean>;
  /** Stages of a job, ordered by index. */
  listStages(jobId: string): Promise<StageRecord[]>;
  /** Creates the asset or merges `derivedFrom` into an existing one. */
  putAsset(asset: AssetRecord): Promise<void>;
  getAsset(assetId: string): Promise<AssetRecord | undefined>;
  /** A stage output computed before with exactly the same inputs, prompt, engine, model and parameters. */
  getCachedStage(key: string): Promise<CachedStage | undefined>;
  /** Records a computed stage output in the cache (the first entry for a key stays). */
  putCachedStage(entry: CachedStage): Promise<void>;
  /** Jobs, newest first, optionally only those of one source image (`bucket/name`). */
  listJobs(filter?: { sourceKey?: string; limit?: number }): Promise<JobRecord[]>;
}
