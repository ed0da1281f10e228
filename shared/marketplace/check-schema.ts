import { z } from 'zod';

/** Marketplace presets `output.preset` accepts (docs/marketplaces.md). */
export const MARKETPLACE_PRESETS = [
  'amazon-main',
  'shopify-square',
  'etsy-listing',
  'google-merchant',
] as const;
/** One of {@link MARKETPLACE_PRESETS}. */
export type MarketplacePreset = (typeof MARKETPLACE_PRESETS)[number];

/** What a failed check does: `error` fails the job with CHECK_FAILED, `warning` records a warning. */
const SeveritySchema = z.enum(['error', 'warning']).default('error');
const SideSchema = z.enum(['longest', 'shortest']).default('longest');
const ColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

/**
 * One check on the main output (`output.checks[]`, or implied by a preset).
 * @example CheckSpecSchema.parse({ check: 'min-side', px: 1000 })
 */
export const CheckSpecSchema = z.discriminatedUnion('check', [
  z.strictObject({
    check: z.literal('background-purity'),
    /** The required background colour; the output's background when absent. */
    colour: ColourSchema.optional(),
    /** Share of background pixels (0…1) that must be exactly that colour. */
    min: z.number().min(0).max(1).default(0.99),
    severity: SeveritySchema,
  }),
  z.strictObject({
    check: z.literal('product-fill'),
    /** Share of the frame (0…1) the product's bounding box must span along its longer direction. */
    min: z.number().min(0).max(1).optional(),
    max: z.number().min(0).max(1).optional(),
    severity: SeveritySchema,
  }),
  z.strictObject({
    check: z.literal('min-side'),
    px: z.number().int().min(1).max(100000),
    side: SideSchema,
    severity: SeveritySchema,
  }),
  z.strictObject({
    check: z.literal('max-side'),
    px: z.number().int().min(1).max(100000),
    side: SideSchema,
    severity: SeveritySchema,
  }),
  z.strictObject({
    check: z.literal('max-megapixels'),
    megapixels: z.number().positive().max(10000),
    severity: SeveritySchema,
  }),
  z.strictObject({
    check: z.literal('colour-space'),
    space: z.literal('srgb').default('srgb'),
    severity: SeveritySchema,
  }),
  z.strictObject({ check: z.literal('no-transparency'), severity: SeveritySchema }),
  z.strictObject({
    check: z.literal('max-file-size'),
    bytes: z.number().int().min(1),
    severity: SeveritySchema,
  }),
]);

/** One check, defaults applied. */
export type CheckSpec = z.output<typeof CheckSpecSchema>;
/** The check names. */
export type CheckName = CheckSpec['check'];

/** Every check name, in the order of {@link CheckSpecSchema}. */
export const CHECK_NAMES = CheckSpecSchema.options.map((o) => o.shape.check.value) as [
  CheckName,
  ...CheckName[],
];

/** `output.checks`: up to 16 checks. */
export const ChecksSchema = z.array(CheckSpecSchema).max(16);

/** What one check measured on one output file, and its verdict. */
export const CheckResultSchema = z.object({
  check: z.enum(CHECK_NAMES),
  /** The output file checked: its role (`final`) and format. */
  role: z.string(),
  format: z.string(),
  /** The measured value (a share, pixels, bytes, or a description). */
  measured: z.union([z.number(), z.string()]),
  /** The limit it was held against, as a phrase (`≥ 0.85`, `≤ 10000 px`). */
  limit: z.string(),
  verdict: z.enum(['pass', 'fail']),
  severity: z.enum(['error', 'warning']),
  /** Set when the check came from a preset. */
  preset: z.enum(MARKETPLACE_PRESETS).optional(),
  /** What to do about a failure. */
  hint: z.string().optional(),
});
/** One check's measurement and verdict. */
export type CheckResult = z.infer<typeof CheckResultSchema>;
