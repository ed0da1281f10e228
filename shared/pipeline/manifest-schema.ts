import { z } from 'zod';
import {
  InputRefSchema,
  LocationSchema,
  OutputRecordSchema,
  ReuseRecordSchema,
  SavingsSchema,
  VariantRecordSchema,
} from '../lineage/records.js';
import { CheckResultSchema } from '../marketplace/check-schema.js';
import { FullRequestSchema } from '../request/schema.js';

/** The manifest format version. */
export const MANIFEST_VERSION = 1;

const JsonObjectSchema = z.record(z.string(), z.unknown());
const IsoTimeSchema = z.iso.datetime();

/** Where an image lives and which image it is (the SHA-256 of its bytes). */
const ImageRefSchema = LocationSchema.extend({
  sha256: z.string(),
  width: z.number(),
  height: z.number(),
});

/** One stage of the job as the manifest reports it. */
export const ManifestStageSchema = z.object({
  index: z.number(),
  name: z.string(),
  engine: z.string(),
  model: z.string(),
  /** The stage's prompt as written. */
  prompt: z.string(),
  /** The prompt the engine received (keep/avoid clauses composed in). */
  effectivePrompt: z.string(),
  seed: z.number(),
  seedSource: z.enum(['request', 'inherited', 'drawn']).optional(),
  params: JsonObjectSchema,
  /** The SHA-256 of the stage's input image. */
  input: z.string(),
  references: z.array(z.string()),
  output: ImageRefSchema,
  durationMs: z.number(),
  attempt: z.number(),
  /** True when an earlier attempt recorded the stage and this one resumed after it. */
  resumed: z.boolean(),
  warnings: z.array(z.string()),
  usage: z.record(z.string(), z.number()).optional(),
  costUsd: z.number().optional(),
  lane: z.literal('batch').optional(),
  reusedFrom: ReuseRecordSchema.optional(),
  details: JsonObjectSchema.optional(),
  variants: z.array(VariantRecordSchema).optional(),
  chosenVariant: z.number().optional(),
  /** What protecting the subject measured (docs/protect.md). */
  protect: z.unknown().optional(),
});
export type ManifestStage = z.infer<typeof ManifestStageSchema>;

/**
 * `manifest.json`: a succeeded job's completion record, the contract integrations read.
 * Published as a JSON Schema in `docs/schemas/manifest.schema.json` (docs/schemas.md).
 */
export const ManifestSchema = z.object({
  manifestVersion: z.literal(MANIFEST_VERSION),
  jobId: z.string(),
  status: z.literal('succeeded'),
  attempt: z.number(),
  /** The earlier job on the same image, when this one is a revision. */
  previousJobId: z.string().optional(),
  createdAt: IsoTimeSchema,
  finishedAt: IsoTimeSchema,
  inputs: z.object({
    image: InputRefSchema.partial().extend({
      sha256: z.string(),
      format: z.string(),
      width: z.number(),
      height: z.number(),
      bytes: z.number(),
    }),
    request: InputRefSchema.partial().extend({ kind: z.enum(['sidecar', 'recipe']).optional() }),
    references: z.array(ImageRefSchema),
  }),
  labels: z.record(z.string(), z.string()),
  /** The normalized request: the full form, defaults applied, every stage named. */
  request: FullRequestSchema.omit({ $schema: true }),
  stages: z.array(ManifestStageSchema),
  outputs: z.array(OutputRecordSchema),
  warnings: z.array(z.string()),
  timings: z.record(z.string(), z.number()),
  costUsd: z.number(),
  lane: z.enum(['interactive', 'batch']),
  savings: SavingsSchema,
  checks: z.array(CheckResultSchema).optional(),
  /** What a marketplace preset did to the main output. */
  preset: JsonObjectSchema.optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
