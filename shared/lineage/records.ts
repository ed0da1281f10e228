import { z } from 'zod';
import { CheckResultSchema } from '../marketplace/check-schema.js';
/**
 * Lineage records: what is stored in Firestore (`jobs/{jobId}`,
 * `jobs/{jobId}/stages/{NN}`, `jobs/{jobId}/attempts/{n}`, `assets/{sha256}`).
 * Never image bytes: each document stays far below Firestore's 1 MiB limit.
 *
 * Each record is a zod schema and its type is inferred from it: the stores parse every
 * document they read with its schema (parse-record.ts), so a record that does not match is
 * an error naming the document, never a silent cast.
 */

/** `waiting-batch`: a stage waits for a Gemini batch job (shared/batch); the collector resumes the job. */
export const JOB_STATUSES = ['running', 'waiting-batch', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** One input object at one exact generation. */
export const InputRefSchema = z.object({ bucket: z.string(), name: z.string(), generation: z.string() });
export type InputRef = z.infer<typeof InputRefSchema>;

/** Where a stored object lives. */
export const LocationSchema = z.object({ bucket: z.string(), name: z.string() });
export type Location = z.infer<typeof LocationSchema>;

/** One output file of a job. */
export const OutputRecordSchema = LocationSchema.extend({
  /** `final`, a named size such as `thumb`, `compare`, `manifest` or a stage output. */
  role: z.string(),
  format: z.string(),
  assetId: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  bytes: z.number(),
});
export type OutputRecord = z.infer<typeof OutputRecordSchema>;

export const JobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The stage that failed, when one did. */
  stage: z.number().optional(),
  /** Structured details of the error, kept so that a lost `error.json` can be rewritten. */
  details: JsonObjectSchema.optional(),
});
export type JobError = z.infer<typeof JobErrorSchema>;

/** One webhook target of a job and the attempts to deliver to it. */
export const WebhookDeliveryRecordSchema = z.object({
  url: z.string(),
  /** The `webhook-id` header: the same on every attempt, for the receiver to dedupe. */
  messageId: z.string(),
  /** `delivered` after a 2xx, `failed` when the attempts ran out or the target is refused. */
  status: z.enum(['delivered', 'failed']),
  attempts: z.array(z.object({ at: z.date(), status: z.number().optional(), error: z.string().optional() })),
});
export type WebhookDeliveryRecord = z.infer<typeof WebhookDeliveryRecordSchema>;

/** `jobs/{id}.notifications`: each announcement of the outcome, recorded once made. */
export const JobNotificationsSchema = z.object({
  /** The completion message, once Pub/Sub accepted it (a redelivery then publishes nothing). */
  pubsub: z.object({ topic: z.string(), messageId: z.string(), publishedAt: z.date() }).optional(),
  /** Webhook deliveries: every attempt, in order. */
  webhooks: z.array(WebhookDeliveryRecordSchema).optional(),
});
export type JobNotifications = z.infer<typeof JobNotificationsSchema>;

/** What the stage cache, pins and the batch lane saved a job. */
export const SavingsSchema = z.object({
  engineCallsAvoided: z.number(),
  savedUsd: z.number(),
  batchSavedUsd: z.number().optional(),
});
export type Savings = z.infer<typeof SavingsSchema>;

/** `jobs/{jobId}` */
export const JobRecordSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  inputs: z.object({
    image: InputRefSchema.optional(),
    /** The sidecar or recipe that describes the job. */
    request: InputRefSchema.optional(),
    requestKind: z.enum(['sidecar', 'recipe']).optional(),
  }),
  /** The image path the layout is derived from, as `bucket/name`. */
  sourceKey: z.string(),
  /** Where the job's outputs go (bucket and prefix ending in `/`). */
  results: z.object({ bucket: z.string(), prefix: z.string() }),
  /** The normalized request, once it parsed. */
  request: JsonObjectSchema.optional(),
  engine: z.string().optional(),
  model: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  attempt: z.number(),
  /** Attempts that ended in a hand-off to a task queue or a model's "not now"; they do not count against MAX_ATTEMPTS. */
  freeAttempts: z.number().optional(),
  owner: z.string(),
  leaseExpiresAt: z.date(),
  createdAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().optional(),
  timings: z.record(z.string(), z.number()).optional(),
  warnings: z.array(z.string()),
  error: JobErrorSchema.optional(),
  outputs: z.array(OutputRecordSchema).optional(),
  costUsd: z.number().optional(),
  /** What the stage cache and pins saved this job. */
  savings: SavingsSchema.optional(),
  /** Engine checkpoints by stage index (e.g. a remote prediction id), for resuming. */
  checkpoints: z.record(z.string(), JsonObjectSchema).optional(),
  /** The earlier job on the same image, when this one is a revision. */
  previousJobId: z.string().optional(),
  /** Attempts that ended waiting for a used-up quota to reset; they do not count against MAX_ATTEMPTS. */
  quotaWaits: z.number().optional(),
  /** The lane the job's Gemini stages ran in (absent: interactive). */
  lane: z.enum(['interactive', 'batch']).optional(),
  /** Batch lane: the stages waiting for a batch job (`{jobId}.s{stage}.v{variant}` keys). */
  waitingBatch: z.array(z.string()).optional(),
  /** How the job's outcome was announced (completion events, webhooks). */
  notifications: JobNotificationsSchema.optional(),
  /** Marketplace and output checks of the main output (measurement and verdict each). */
  checks: z.array(CheckResultSchema).optional(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** Where a stage output came from when no engine was called for it. */
export const ReuseRecordSchema = z.object({
  /** `cache`: an identical stage ran before; `pin`: the request said `from`; `storage`: an interrupted attempt stored it. */
  via: z.enum(['cache', 'pin', 'storage']),
  jobId: z.string(),
  stage: z.number(),
  variant: z.number().optional(),
  /** What the original engine call cost, now saved. */
  savedUsd: z.number().optional(),
});
export type ReuseRecord = z.infer<typeof ReuseRecordSchema>;

/** One of several outputs of a stage that asked for `variants`. */
export const VariantRecordSchema = z.object({
  variant: z.number(),
  seed: z.number(),
  outputAssetId: z.string(),
  output: LocationSchema,
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  costUsd: z.number().optional(),
  reusedFrom: ReuseRecordSchema.optional(),
});
export type VariantRecord = z.infer<typeof VariantRecordSchema>;

/** `jobs/{jobId}/stages/{NN}`: the resume point of a job. */
export const StageRecordSchema = z.object({
  index: z.number(),
  name: z.string(),
  rawPrompt: z.string(),
  prompt: z.string(),
  engine: z.string(),
  model: z.string(),
  params: JsonObjectSchema,
  seed: z.number(),
  /** Where the seed came from: the request, the previous job (a revision), or drawn for this job. */
  seedSource: z.enum(['request', 'inherited', 'drawn']).optional(),
  inputAssetId: z.string(),
  referenceAssetIds: z.array(z.string()),
  outputAssetId: z.string(),
  output: LocationSchema,
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  durationMs: z.number(),
  warnings: z.array(z.string()),
  attempt: z.number(),
  finishedAt: z.date(),
  usage: z.record(z.string(), z.number()).optional(),
  costUsd: z.number().optional(),
  details: JsonObjectSchema.optional(),
  /** The content address of this stage in the stage cache. */
  cacheKey: z.string().optional(),
  /** Set when the chosen output was reused rather than computed. */
  reusedFrom: ReuseRecordSchema.optional(),
  /** Every variant, when the stage asked for more than one; the fields above describe the chosen one. */
  variants: z.array(VariantRecordSchema).optional(),
  /** Which variant the next stage continues from (1 unless pinned). */
  chosenVariant: z.number().optional(),
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

/** `stageCache/{key}`: a computed stage output, addressed by everything that determines it. */
export const CachedStageSchema = z.object({
  key: z.string(),
  engine: z.string(),
  model: z.string(),
  outputAssetId: z.string(),
  output: LocationSchema,
  mimeType: z.string(),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  jobId: z.string(),
  stage: z.number(),
  variant: z.number(),
  costUsd: z.number().optional(),
  createdAt: z.date(),
});
export type CachedStage = z.infer<typeof CachedStageSchema>;

/** `jobs/{jobId}/attempts/{n}`: created once per attempt; the create-only write is the fence. */
export const AttemptRecordSchema = z.object({
  attempt: z.number(),
  owner: z.string(),
  startedAt: z.date(),
  /** When Firestore's TTL policy may delete the record (cleanup only; nothing relies on it). */
  expireAt: z.date().optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecordSchema>;

/** How long attempt records are kept before the TTL policy may delete them. */
export const ATTEMPT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** `assets/{sha256}`: a node of the lineage graph. */
export const AssetRecordSchema = z.object({
  id: z.string(),
  location: LocationSchema,
  mimeType: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
  bytes: z.number(),
  derivedFrom: z.array(z.string()),
  producedBy: z.object({ jobId: z.string(), stage: z.number().optional(), role: z.string() }).optional(),
  createdAt: z.date(),
});
export type AssetRecord = z.infer<typeof AssetRecordSchema>;

/** A change to a job: fields to replace, and `error: null` to clear a stale error. */
export type JobPatch = Partial<Omit<JobRecord, 'error'>> & { error?: JobRecord['error'] | null };
