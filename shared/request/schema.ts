import { z } from 'zod';
import { DriftSchema } from '../protect/protect-schema.js';
import { BoundedJsonObjectSchema } from './bounded-json.js';
import { OutputOptionsSchema } from './output-schema.js';

/** The lanes a request can run in: `interactive` calls the model now, `batch` waits for Gemini Batch Mode. */
export const LANES = ['interactive', 'batch'] as const;
export type Lane = (typeof LANES)[number];

/** Request format versions this build understands. */
export const REQUEST_VERSIONS = [1] as const;

export const MAX_STAGES = 10;
/** Labels per request: each is a field of the job document, indexed by Firestore. */
export const MAX_LABELS = 64;
export const MAX_REFERENCES = 13;
export const MAX_PROMPT_CHARS = 2000;
export const MAX_VARIANTS = 4;

const PromptSchema = z
  .string()
  .trim()
  .min(1, { error: `must be 1–${MAX_PROMPT_CHARS} characters` })
  .max(MAX_PROMPT_CHARS, { error: `must be 1–${MAX_PROMPT_CHARS} characters` });

const ClauseListSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(200, { error: 'must be at most 200 characters' }),
  )
  .max(20, { error: 'must have at most 20 entries' })
  .default([]);

const SeedSchema = z
  .number()
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be between 0 and 2147483647' })
  .max(2147483647, { error: 'must be between 0 and 2147483647' });

const ReferenceSchema = z
  .string()
  .trim()
  .min(1, { error: 'must name an image' })
  .max(1024, { error: 'must be at most 1024 characters' });

/** Fields of one edit step. Engine parameters sit beside the prompt. */
const stageShape = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/i, { error: 'must be 1–40 letters, digits or dashes' })
    .optional(),
  prompt: PromptSchema.optional(),
  references: z
    .array(ReferenceSchema)
    .max(MAX_REFERENCES, { error: `must have at most ${MAX_REFERENCES} images` })
    .default([]),
  keep: ClauseListSchema,
  avoid: ClauseListSchema,
  /** A number locks the seed; `"random"` opts out of inheriting the previous job's seed. */
  seed: z
    .union([SeedSchema, z.literal('random')], { error: 'must be a whole number or "random"' })
    .optional(),
  variants: z
    .number()
    .int({ error: 'must be a whole number' })
    .min(1, { error: `must be between 1 and ${MAX_VARIANTS}` })
    .max(MAX_VARIANTS, { error: `must be between 1 and ${MAX_VARIANTS}` })
    .default(1),
  /** Continue from an earlier job's result instead of editing: `{ job, stage, variant }`. */
  from: z
    .strictObject({
      job: z.string().regex(/^[0-9a-f]{24}$/, { error: 'must be a job id (24 hex characters)' }),
      stage: z.number().int().min(1, { error: 'must be a stage number (1, 2, …)' }),
      variant: z.number().int().min(1).max(MAX_VARIANTS).default(1),
    })
    .optional(),
  engine: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  /** Keep the product exact: separate it, send it on the target canvas, composite it back (docs/protect.md). */
  protect: z.literal('subject').optional(),
  /** Drift limits, retries and outcome of a protected stage. */
  drift: DriftSchema.optional(),
  guidanceScale: z
    .number()
    .min(0, { error: 'must be between 0 and 30' })
    .max(30, { error: 'must be between 0 and 30' })
    .optional(),
  steps: z
    .number()
    .int()
    .min(1, { error: 'must be between 1 and 150' })
    .max(150, { error: 'must be between 1 and 150' })
    .optional(),
  aspectRatio: z
    .string()
    .regex(/^\d{1,2}:\d{1,2}$/, { error: 'must look like "4:5"' })
    .optional(),
  imageSize: z.string().min(1).max(8).optional(),
  temperature: z
    .number()
    .min(0, { error: 'must be between 0 and 2' })
    .max(2, { error: 'must be between 0 and 2' })
    .optional(),
  thinkingLevel: z.string().min(1).max(16).optional(),
  extra: BoundedJsonObjectSchema.optional(),
};

/** A stage is an edit (`prompt`) or a pin to an earlier result (`from`), never both. */
function checkStageKind(stage: { prompt?: string | undefined; from?: unknown }, ctx: z.RefinementCtx): void {
  if (stage.prompt === undefined && stage.from === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['prompt'],
      message: `is required (1–${MAX_PROMPT_CHARS} characters), unless the stage continues "from" an earlier result`,
    });
  }
  if (stage.prompt !== undefined && stage.from !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['from'],
      message: 'cannot be combined with "prompt": a stage either edits or continues from an earlier result',
    });
  }
}

/** One stage of a request. */
export const StageSchema = z.strictObject(stageShape).superRefine(checkStageKind);

/** Upscale factors the `upscale` option offers. */
export const UPSCALE_FACTORS = [2, 4] as const;

/**
 * Upscale-first: when the source's shorter side is below `minSourceSide`, an `upscale`
 * stage runs before the edits. `factor` omitted: 2 when that reaches `minSourceSide`, else 4.
 */
export const UpscaleOptionsSchema = z.strictObject({
  minSourceSide: z
    .number({ error: 'must be a number of pixels' })
    .int({ error: 'must be a whole number of pixels' })
    .min(64, { error: 'must be between 64 and 4096' })
    .max(4096, { error: 'must be between 64 and 4096' }),
  engine: z.string().min(1, { error: 'must name an engine' }).default('replicate'),
  model: z.string().min(1, { error: 'must name a model' }).default('nightmareai/real-esrgan'),
  factor: z.literal(UPSCALE_FACTORS, { error: `must be ${UPSCALE_FACTORS.join(' or ')}` }).optional(),
});

const commonShape = {
  /** The JSON Schema an editor checks the file against (docs/schemas.md); ignored by the pipeline. */
  $schema: z.string({ error: 'must be the URL of a JSON Schema' }).optional(),
  version: z.literal(REQUEST_VERSIONS, { error: `must be ${REQUEST_VERSIONS.join(' or ')}` }).default(1),
  engine: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  image: ReferenceSchema.optional(),
  output: OutputOptionsSchema,
  /** Reuse identical stages computed before (default true; the STAGE_CACHE variable can turn it off everywhere). */
  cache: z.boolean().default(true),
  upscale: UpscaleOptionsSchema.optional(),
  /** `batch`: Gemini stages wait for a batch job at half the price (docs/batch.md); default `DEFAULT_LANE`. */
  lane: z.enum(LANES, { error: `must be ${LANES.join(' or ')}` }).optional(),
  labels: z
    .record(
      z.string().regex(/^[a-zA-Z][\w.-]{0,62}$/, { error: 'label keys are 1–63 letters, digits, _ . -' }),
      z.string().max(256, { error: 'label values are at most 256 characters' }),
    )
    .refine((l) => Object.keys(l).length <= MAX_LABELS, { error: `must have at most ${MAX_LABELS} labels` })
    .default({}),
  /** A webhook for this job's outcome; its host must be one of the deployment's WEBHOOK_HOSTS. */
  notify: z
    .strictObject({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) })
    .optional(),
};

/**
 * The full form: `{ "version": 1, "stages": [ … ] }`. An empty list is an output-only job: the
 * image is only resized, padded, converted and stamped, with no engine call (docs/output-only.md).
 */
export const FullRequestSchema = z.strictObject({
  ...commonShape,
  stages: z.array(StageSchema).max(MAX_STAGES, { error: `must have at most ${MAX_STAGES} stages` }),
});

/** The one-stage shorthand: `{ "prompt": "…" }` with stage fields at the top. */
export const ShorthandRequestSchema = z
  .strictObject({ ...commonShape, ...stageShape })
  .superRefine(checkStageKind);

export type StageInput = z.output<typeof StageSchema>;
export type FullRequest = z.output<typeof FullRequestSchema>;
export type UpscaleOptions = z.output<typeof UpscaleOptionsSchema>;

/** A validated request, always in the full form, every stage named; an editor's `$schema` is dropped. */
export interface Request extends Omit<FullRequest, 'stages' | '$schema'> {
  stages: NamedStage[];
}

/** A validated stage with its name. */
export type NamedStage = StageInput & { name: string };
