import type { CheckResult } from '../marketplace/index.js';
/**
 * Lineage records: what is stored in Firestore (`jobs/{jobId}`,
 * `jobs/{jobId}/stages/{NN}`, `jobs/{jobId}/attempts/{n}`, `assets/{sha256}`).
 * Never image bytes: each document stays far below Firestore's 1 MiB limit.
 */

/** `waiting-batch`: a stage waits for a Gemini batch job (shared/batch); the collector resumes the job. */
export const JOB_STATUSES = ['running', 'waiting-batch', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One input object at one exact generation. */
export interface InputRef {
  bucket: string;
  name: string;
  generation: string;
}

/** Where a stored object lives. */
export interface Location {
  bucket: string;
  name: string;
}

/** One output file of a job. */
export interface OutputRecord extends Location {
  /** `final`, a named size such as `thumb`, `compare`, `manifest` or a stage output. */
  role: string;
  format: string;
  assetId?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  bytes: number;
}

export interface JobError {
  code: string;
  message: string;
  /** The stage that failed, when one did. */
  stage?: number | undefined;
  /** Structured details of the error, kept so that a lost `error.json` can be rewritten. */
  details?: Record<string, unknown> | undefined;
}

/** `jobs/{jobId}` */
export interface JobRecord {
  id: string;
  status: JobStatus;
  inputs: {
    image?: InputRef | undefined;
    /** The sidecar or recipe that describes the job. */
    request?: InputRef | undefined;
    requestKind?: 'sidecar' | 'recipe' | undefined;
  };
  /** The image path the layout is derived from, as `bucket/name`. */
  sourceKey: string;
  /** Where the job's outputs go (bucket and prefix ending in `/`). */
  results: { bucket: string; prefix: string };
  /** The normalized request, once it parsed. */
  request?: Record<string, unknown> | undefined;
  engine?: string | undefined;
  model?: string | undefined;
  labels: Record<string, string>;
  attempt: number;
  /** Attempts that ended in a hand-off to a task queue or a model's "not now"; they do not count against MAX_ATTEMPTS. */
  freeAttempts?: number | undefined;
  owner: string;
  leaseExpiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | undefined;
  timings?: Record<string, number> | undefined;
  warnings: string[];
  error?: JobError | undefined;
  outputs?: OutputRecord[] | undefined;
  costUsd?: number | undefined;
  /** What the stage cache and pins saved this job. */
  savings?: { engineCallsAvoided: number; savedUsd: number; batchSavedUsd?: number | undefined } | undefined;
  /** Engine checkpoints by stage index (e.g. a remote prediction id), for resuming. */
  checkpoints?: Record<string, Record<string, unknown>> | undefined;
  /** The earlier job on the same image, when this one is a revision. */
  previousJobId?: string | undefined;
  /** Attempts that ended waiting for a used-up quota to reset; they do not count against MAX_ATTEMPTS. */
  quotaWaits?: number | undefined;
  /** The lane the job's Gemini stages ran in (absent: interactive). */
  lane?: 'interactive' | 'batch' | undefined;
  /** Batch lane: the stages waiting for a batch job (`{jobId}.s{stage}.v{variant}` keys). */
  waitingBatch?: string[] | undefined;
  /** How the job's outcome was announced (completion events, webhooks). */
  notifications?: JobNotifications | undefined;
  /** Marketplace and output checks of the main output (measurement and verdict each). */
  checks?: CheckResult[] | undefined;
}

/** `jobs/{id}.notifications`: each announcement of the outcome, recorded once made. */
export interface JobNotifications {
  /** The completion message, once Pub/Sub accepted it (a redelivery then publishes nothing). */
  pubsub?: { topic: string; messageId: string; publishedAt: Date } | undefined;
  /** Webhook deliveries: every attempt, in order. */
  webhooks?: WebhookDeliveryRecord[] | undefined;
}

/** One webhook target of a job and the attempts to deliver to it. */
export interface WebhookDeliveryRecord {
  url: string;
  /** The `webhook-id` header: the same on every attempt, for the receiver to dedupe. */
  messageId: string;
  /** `delivered` after a 2xx, `failed` when the attempts ran out or the target is refused. */
  status: 'delivered' | 'failed';
  attempts: { at: Date; status?: number | undefined; error?: string | undefined }[];
}

/** `jobs/{jobId}/stages/{NN}`: the resume point of a job. */
export interface StageRecord {
  index: number;
  name: string;
  rawPrompt: string;
  prompt: string;
  engine: string;
  model: string;
  params: Record<string, unknown>;
  seed: number;
  /** Where the seed came from: the request, the previous job (a revision), or drawn for this job. */
  seedSource?: 'request' | 'inherited' | 'drawn' | undefined;
  inputAssetId: string;
  referenceAssetIds: string[];
  outputAssetId: string;
  output: Location;
  width: number;
  height: number;
  bytes: number;
  durationMs: number;
  warnings: string[];
  attempt: number;
  finishedAt: Date;
  usage?: Record<string, number> | undefined;
  costUsd?: number | undefined;
  details?: Record<string, unknown> | undefined;
  /** The content address of this stage in the stage cache. */
  cacheKey?: string | undefined;
  /** Set when the chosen output was reused rather than computed. */
  reusedFrom?: ReuseRecord | undefined;
  /** Every variant, when the stage asked for more than one; the fields above describe the chosen one. */
  variants?: VariantRecord[] | undefined;
  /** Which variant the next stage continues from (1 unless pinned). */
  chosenVariant?: number | undefined;
}

/** One of several outputs of a stage that asked for `variants`. */
export interface VariantRecord {
  variant: number;
  seed: number;
  outputAssetId: string;
  output: Location;
  width: number;
  height: number;
  bytes: number;
  costUsd?: number | undefined;
  reusedFrom?: ReuseRecord | undefined;
}

/** Where a stage output came from when no engine was called for it. */
export interface ReuseRecord {
  /** `cache`: an identical stage ran before; `pin`: the request said `from`; `storage`: an interrupted attempt stored it. */
  via: 'cache' | 'pin' | 'storage';
  jobId: string;
  stage: number;
  variant?: number | undefined;
  /** What the original engine call cost, now saved. */
  savedUsd?: number | undefined;
}

/** `stageCache/{key}`: a computed stage output, addressed by everything that determines it. */
export interface CachedStage {
  key: string;
  engine: string;
  model: string;
  outputAssetId: string;
  output: Location;
  mimeType: string;
  width: number;
  height: number;
  bytes: number;
  jobId: string;
  stage: number;
  variant: number;
  costUsd?: number | undefined;
  createdAt: Date;
}

/** `jobs/{jobId}/attempts/{n}`: created once per attempt; the create-only write is the fence. */
export interface AttemptRecord {
  attempt: number;
  owner: string;
  startedAt: Date;
  /** When Firestore's TTL policy may delete the record (cleanup only; nothing relies on it). */
  expireAt?: Date | undefined;
}

/** How long attempt records are kept before the TTL policy may delete them. */
export const ATTEMPT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** `assets/{sha256}`: a node of the lineage graph. */
export interface AssetRecord {
  id: string;
  location: Location;
  mimeType: string;
  width?: number | undefined;
  height?: number | undefined;
  bytes: number;
  derivedFrom: string[];
  producedBy?: { jobId: string; stage?: number | undefined; role: string } | undefined;
  createdAt: Date;
}

/** A change to a job: fields to replace, and `error: null` to clear a stale error. */
export type JobPatch = Partial<Omit<JobRecord, 'error'>> & { error?: JobRecord['error'] | null };
