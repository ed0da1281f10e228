import { z } from 'zod';

export const OUTPUT_FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const AspectRatioSchema = z.string().regex(/^\d{1,3}:\d{1,3}$/, 'must look like "4:5"');
const ColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

/** How one output size is shaped. */
export const OutputSizeSchema = z.strictObject({
  maxSize: z.number().int().min(16).max(16384).optional(),
  aspectRatio: AspectRatioSchema.optional(),
  fit: z.enum(['cover', 'pad']).default('cover'),
  background: ColourSchema.default('#ffffff'),
  formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).max(4).optional(),
});

/** The `output` section of a request. */
export const OutputOptionsSchema = z
  .strictObject({
    formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).max(4).default(['webp']),
    quality: z.number().int().min(1).max(100).default(85),
    maxSize: z.number().int().min(16).max(16384).optional(),
    aspectRatio: AspectRatioSchema.optional(),
    fit: z.enum(['cover', 'pad']).default('cover'),
    background: ColourSchema.default('#ffffff'),
    sizes: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'size names are lowercase words'), OutputSizeSchema)
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

export type OutputOptions = z.output<typeof OutputOptionsSchema>;
