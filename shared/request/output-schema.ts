import { z } from 'zod';
import { ChecksSchema, MARKETPLACE_PRESETS } from '../marketplace/check-schema.js';

/** The output formats Darkroom can write. */
export const OUTPUT_FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where a cover-crop keeps the picture: the most salient region, the busiest one, or the middle. */
export const CROP_POSITIONS = ['attention', 'entropy', 'centre'] as const;

/**
 * Names a named size may not take: the files and folders of a job's result prefix
 * (`final.*`, `compare.jpg`, `manifest.json`, `error.json`, `stages/`), so that no size
 * replaces one of them.
 */
export const RESERVED_SIZE_NAMES = ['final', 'compare', 'manifest', 'error', 'stages'] as const;

/**
 * The longest-to-shortest side an `aspectRatio` may ask for. A wider ratio with `fit: "pad"`
 * multiplies the pixels of the output (999:1 on a 3,072² image is 9.4 GP).
 */
export const MAX_ASPECT_RATIO = 16;

const SizeSchema = z.number().int().min(16).max(16384);
const QualitySchema = z.number().int().min(1).max(100);
const FormatsSchema = z.array(z.enum(OUTPUT_FORMATS)).min(1).max(4);
const AspectRatioSchema = z
  .string()
  .regex(/^\d{1,3}:\d{1,3}$/, 'must look like "4:5"')
  // Only a ratio of the right shape can have a zero side; "square" has one complaint, not two.
  .refine((v) => !/^\d{1,3}:\d{1,3}$/.test(v) || v.split(':').every((side) => Number(side) > 0), {
    error: 'must not have a zero side (e.g. "1:1", "4:5")',
  })
  .refine((v) => {
    const [w = 1, h = 1] = v.split(':').map(Number);
    return !(w > 0 && h > 0) || Math.max(w, h) <= MAX_ASPECT_RATIO * Math.min(w, h);
  }, `must be at most ${MAX_ASPECT_RATIO}:1 either way`);
const ColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

/**
 * How one named output size is shaped. Formats and quality default to the job's;
 * maxSize and aspectRatio are the size's own (a `thumb` does not inherit `full`'s shape).
 */
export const OutputSizeSchema = z.strictObject({
  maxSize: SizeSchema.optional(),
  aspectRatio: AspectRatioSchema.optional(),
  fit: z.enum(['cover', 'pad']).default('cover'),
  background: ColourSchema.default('#ffffff'),
  /** Cover-crop anchor; `attention` when absent. */
  position: z.enum(CROP_POSITIONS).optional(),
  formats: FormatsSchema.optional(),
  quality: QualitySchema.optional(),
  /** Resample up to `maxSize` when the image is smaller (default: never enlarge, with a warning). */
  enlarge: z.boolean().optional(),
});

/** One named size, defaults applied. */
export type OutputSize = z.output<typeof OutputSizeSchema>;

/**
 * The `output` section of a request.
 * @example OutputOptionsSchema.parse({ formats: ['jpeg', 'webp'], aspectRatio: '1:1', fit: 'pad', sizes: { thumb: { maxSize: 256 } } })
 */
export const OutputOptionsSchema = z
  .strictObject({
    formats: FormatsSchema.default(['webp']),
    quality: QualitySchema.default(85),
    maxSize: SizeSchema.optional(),
    aspectRatio: AspectRatioSchema.optional(),
    fit: z.enum(['cover', 'pad']).default('cover'),
    background: ColourSchema.default('#ffffff'),
    /** Cover-crop anchor; `attention` when absent. */
    position: z.enum(CROP_POSITIONS).optional(),
    sizes: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'size names are lowercase words'), OutputSizeSchema)
      .superRefine((sizes, ctx) => {
        for (const name of RESERVED_SIZE_NAMES.filter((n) => n in sizes)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `the size name "${name}" is reserved (${RESERVED_SIZE_NAMES.join(', ')} name the job's own files)`,
          });
        }
      })
      .optional(),
    keepIntermediates: z.boolean().default(true),
    compareSheet: z.boolean().default(true),
    /** A marketplace preset for the main output: size, padding, background, format and checks. */
    preset: z.enum(MARKETPLACE_PRESETS).optional(),
    /** Checks on the main output (docs/marketplaces.md), after the preset's. */
    checks: ChecksSchema.optional(),
    /**
     * Resample up when the image is smaller than `maxSize` or the preset's size (default: never
     * enlarge; the shortfall is warned about in the manifest, the job and the report).
     */
    enlarge: z.boolean().default(false),
  })
  .default({
    formats: ['webp'],
    quality: 85,
    fit: 'cover',
    background: '#ffffff',
    keepIntermediates: true,
    compareSheet: true,
    enlarge: false,
  });

/** The `output` section, defaults applied. */
export type OutputOptions = z.output<typeof OutputOptionsSchema>;
