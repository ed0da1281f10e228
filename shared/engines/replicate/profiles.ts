import { z } from 'zod';

/**
 * Model profiles: what Darkroom knows about each Replicate model it can run.
 * Input names, ranges and versions come from the model pages summarised in
 * `shared/reference/replicate-api.md` §3; `maxInputSide` is our choice of the useful
 * input size (larger inputs cost upload time and are downscaled by the model anyway).
 */

/** How a profile estimates the cost of one prediction. */
export type ReplicatePrice =
  | { kind: 'per-image'; usd: number; source: string }
  | { kind: 'per-second'; usd: number; hardware: string; source: string };

/** A numeric input the model takes under its own name, with its accepted range. */
export interface NumericInput {
  field: string;
  min: number;
  max: number;
  integer: boolean;
}

/** One Replicate model Darkroom can run. */
export interface ReplicateModelProfile {
  /** `owner/name`. */
  model: string;
  /** Pinned version id; absent for official models run through `/models/{owner}/{name}/predictions`. */
  version?: string | undefined;
  kind: 'edit' | 'upscale';
  /** Input name of the image(s) and whether it is a single URI or an array. */
  imageField: string;
  imageShape: 'single' | 'array';
  /** Images accepted in one prediction (stage input + references). */
  maxImages: number;
  /** Longest side images are downscaled to before sending. */
  maxInputSide: number;
  takesPrompt: boolean;
  seedField?: string | undefined;
  aspectRatioField?: string | undefined;
  aspectRatios?: readonly string[] | undefined;
  guidance?: NumericInput | undefined;
  steps?: NumericInput | undefined;
  /** Inputs Darkroom always sends unless `extra` overrides them. */
  defaults: Readonly<Record<string, unknown>>;
  /** Model-specific inputs accepted through `StageParams.extra`, under the model's own names. */
  extraSchema: z.ZodType<Record<string, unknown>>;
  price: ReplicatePrice;
}

const KONTEXT_RATIOS = [
  'match_input_image',
  '1:1',
  '16:9',
  '9:16',
  '4:3',
  '3:4',
  '3:2',
  '2:3',
  '4:5',
  '5:4',
  '21:9',
  '9:21',
  '2:1',
  '1:2',
] as const;
const PRUNA_RATIOS = ['match_input_image', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
const QWEN_RATIOS = ['match_input_image', '1:1', '16:9', '9:16', '4:3', '3:4'] as const;

const quality = z.number().int().min(0).max(100);
const fastFormatExtra = {
  go_fast: z.boolean().optional(),
  output_format: z.enum(['webp', 'jpg', 'png']).optional(),
  output_quality: quality.optional(),
};

/** Every profile, by `owner/name`. */
/** What Qwen Image Edit Plus and its LoRA variant share: the LoRA one only adds inputs. */
const QWEN_EDIT_PLUS = {
  kind: 'edit',
  imageField: 'image',
  imageShape: 'array',
  maxImages: 3,
  maxInputSide: 1536,
  takesPrompt: true,
  seedField: 'seed',
  aspectRatioField: 'aspect_ratio',
  aspectRatios: QWEN_RATIOS,
  defaults: { output_format: 'png' },
} as const;

export const REPLICATE_PROFILES: ReadonlyMap<string, ReplicateModelProfile> = new Map(
  (
    [
      {
        model: 'black-forest-labs/flux-kontext-pro',
        kind: 'edit',
        imageField: 'input_image',
        imageShape: 'single',
        maxImages: 1,
        maxInputSide: 1536,
        takesPrompt: true,
        seedField: 'seed',
        aspectRatioField: 'aspect_ratio',
        aspectRatios: KONTEXT_RATIOS,
        defaults: { output_format: 'png', safety_tolerance: 2 },
        extraSchema: z.strictObject({
          prompt_upsampling: z.boolean().optional(),
          // 6 is the maximum without an input image; an edit always has one, so 2.
          safety_tolerance: z.number().int().min(0).max(2).optional(),
          output_format: z.enum(['jpg', 'png']).optional(),
        }),
        price: { kind: 'per-image', usd: 0.04, source: 'docs.bfl.ml pricing (BFL direct)' },
      },
      {
        model: 'black-forest-labs/flux-kontext-dev',
        kind: 'edit',
        imageField: 'input_image',
        imageShape: 'single',
        maxImages: 1,
        maxInputSide: 1536,
        takesPrompt: true,
        seedField: 'seed',
        aspectRatioField: 'aspect_ratio',
        aspectRatios: KONTEXT_RATIOS,
        guidance: { field: 'guidance', min: 0, max: 10, integer: false },
        steps: { field: 'num_inference_steps', min: 4, max: 50, integer: true },
        defaults: { output_format: 'png' },
        extraSchema: z.strictObject(fastFormatExtra),
        price: { kind: 'per-image', usd: 0.025, source: 'third-party price lists (low confidence)' },
      },
      {
        model: 'prunaai/p-image-edit',
        version: '05a6b136010c1590ff0de1a473b5bc8a5aa221359229f9a69b230d093503eae0',
        kind: 'edit',
        imageField: 'images',
        imageShape: 'array',
        maxImages: 5,
        maxInputSide: 1440,
        takesPrompt: true,
        seedField: 'seed',
        aspectRatioField: 'aspect_ratio',
        aspectRatios: PRUNA_RATIOS,
        defaults: {},
        extraSchema: z.strictObject({
          turbo: z.boolean().optional(),
          replicate_weights: z.string().min(1).optional(),
        }),
        price: { kind: 'per-image', usd: 0.01, source: 'replicate.com/prunaai/p-image-edit' },
      },
      {
        ...QWEN_EDIT_PLUS,
        model: 'qwen/qwen-image-edit-plus',
        extraSchema: z.strictObject(fastFormatExtra),
        price: { kind: 'per-image', usd: 0.04, source: 'third-party price list (low confidence)' },
      },
      {
        ...QWEN_EDIT_PLUS,
        model: 'qwen/qwen-image-edit-plus-lora',
        version: 'b37d69a6b94414c96cc4ecb16660b472bb62284f2293d4b65537c09b8500e200',
        extraSchema: z.strictObject({
          ...fastFormatExtra,
          // A Hugging Face slug `owner/model` or a .safetensors/zip/tar URL.
          lora_weights: z.string().min(1).optional(),
          lora_scale: z.number().min(0).max(4).optional(),
        }),
        price: { kind: 'per-image', usd: 0.04, source: 'assumed equal to qwen-image-edit-plus' },
      },
      {
        model: 'nightmareai/real-esrgan',
        version: '42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b',
        kind: 'upscale',
        imageField: 'image',
        imageShape: 'single',
        maxImages: 1,
        maxInputSide: 1024,
        takesPrompt: false,
        defaults: { scale: 4, face_enhance: false },
        extraSchema: z.strictObject({
          scale: z.number().min(1).max(10).optional(),
          face_enhance: z.boolean().optional(),
        }),
        price: {
          kind: 'per-second',
          usd: 0.000225,
          hardware: 'nvidia-t4',
          source: 'assumed T4 rate; the reference found no rate',
        },
      },
    ] satisfies ReplicateModelProfile[]
  ).map((p) => [p.model, p]),
);

/** The model a stage runs when it names none. */
export const DEFAULT_REPLICATE_MODEL = 'black-forest-labs/flux-kontext-pro';
