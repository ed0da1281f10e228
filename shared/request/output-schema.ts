import { z } from 'zod';

/** The output formats Darkroom can write. */
export const OUTPUT_FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where a cover-crop keeps the picture: the most salient region, the busiest one, or the middle. */
export const CROP_POSITIONS = ['attention', 'entropy', 'centre'] as const;

const SizeSchema = z.number().int().min(16).max(16384);
const QualitySchema = z.number().int().min(1).max(100);
const FormatsSchema = z.array(z.enum(OUTPUT_FORMATS)).min(1).max(4);
const AspectRatioSchema = z
  .string()
  .regex(/^\d{1,3}:\d{1,3}$/, 'must look like "4:5"')
  // Only a ratio of the right shape can have a zero side; "square" has one complaint, not two.
  .refine((v) => !/^\d{1,3}:\d{1,3}$/.test(v) || v.split(':').every((side) => Number(side) > 0), {
    error: 'must not have a zero side (e.g. "1:1", "4:5")',
  });
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
    /** Resample up to `maxSize` when the image is smaller (default: never enlarge, with a warning). */
    enlarge: z.boolean().optional(),
    sizes: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'size names are lowercase words'), OutputSizeSchema)
      .refine((s) => !('final' in s), 'the size name "final" is reserved for the main output')
      .optional(),
    keepIntermediates: z.boolean().default(true),
    compareSheet: z.boolean().default(true),
  })
  .default({
    formats: ['webp'],
    quality: 85,
    fit: 'cover',
    background: '#ffffff',
    keepIntermediates: true,
    compareSheet: true,
  });

/** The `output` section, defaults applied. */
export type OutputOptions = z.output<typeof OutputOptionsSchema>;
