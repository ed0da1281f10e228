import { z } from 'zod';

/**
 * `stages[].drift`: how far a protected product may drift in the model's output before the stage
 * retries with a new seed, and what happens when every attempt drifted.
 */
export const DriftSchema = z.strictObject({
  /** Least share of the product's mask where the output still shows the product's colours. */
  minOverlap: z.number().min(0).max(1).default(0.8),
  /** Largest structural difference inside the mask: (1 − mean SSIM of luminance) / 2, 0…1. */
  maxStructuralDifference: z.number().min(0).max(1).default(0.2),
  /** New seeds to try after the first attempt drifted (each recorded). */
  retries: z.number().int().min(0).max(4).default(2),
  /** After the last attempt: fail the job with PRODUCT_ALTERED, or keep the best and warn. */
  onDrift: z.enum(['fail', 'warn']).default('fail'),
});

/** Drift settings, defaults applied. */
export type DriftOptions = z.output<typeof DriftSchema>;

/** The defaults, for a stage with `protect` and no `drift`. */
export const DEFAULT_DRIFT: DriftOptions = DriftSchema.parse({});
