import type { CheckSpec, MarketplacePreset } from './check-schema.js';

/** What a marketplace preset sets on the main output, and the checks it implies. */
export interface PresetRules {
  /** Human name, for messages and the report. */
  label: string;
  aspectRatio: string;
  background: string;
  /** The size the main output is made at (longest side), when the source reaches it. */
  size: number;
  formats: ('jpeg' | 'png' | 'webp')[];
  quality: number;
  /**
   * When set, the product (the non-background bounding box) is reframed to span this share of the
   * frame along its longer direction before the output is padded to the aspect ratio.
   */
  productFill?: number | undefined;
  checks: CheckSpec[];
}

const MB = 1_000_000;

/**
 * The presets. Every number is cited in docs/marketplaces.md; where only secondary sources were
 * available the check is a warning rather than an error, so a guess never fails a job.
 */
export const PRESETS: Record<MarketplacePreset, PresetRules> = {
  'amazon-main': {
    label: 'Amazon main image',
    aspectRatio: '1:1',
    background: '#ffffff',
    size: 2000,
    formats: ['jpeg'],
    quality: 92,
    productFill: 0.85,
    checks: [
      { check: 'background-purity', colour: '#ffffff', min: 0.98, severity: 'error' },
      // The upper bound catches a product cut by the frame (or a scene padded with white bars).
      { check: 'product-fill', min: 0.85, max: 0.95, severity: 'error' },
      { check: 'min-side', px: 1000, side: 'longest', severity: 'error' },
      { check: 'min-side', px: 1600, side: 'longest', severity: 'warning' },
      { check: 'max-side', px: 10000, side: 'longest', severity: 'error' },
      { check: 'colour-space', space: 'srgb', severity: 'error' },
      { check: 'no-transparency', severity: 'error' },
    ],
  },
  'shopify-square': {
    label: 'Shopify square product image',
    aspectRatio: '1:1',
    background: '#ffffff',
    size: 2048,
    formats: ['jpeg'],
    quality: 88,
    checks: [
      { check: 'max-side', px: 4472, side: 'longest', severity: 'error' },
      { check: 'max-file-size', bytes: 20 * MB, severity: 'error' },
      { check: 'min-side', px: 800, side: 'shortest', severity: 'warning' },
      { check: 'colour-space', space: 'srgb', severity: 'warning' },
    ],
  },
  'etsy-listing': {
    label: 'Etsy listing photo',
    aspectRatio: '4:3',
    background: '#ffffff',
    size: 2700,
    formats: ['jpeg'],
    quality: 88,
    checks: [
      { check: 'min-side', px: 2000, side: 'shortest', severity: 'warning' },
      { check: 'max-file-size', bytes: 10 * MB, severity: 'warning' },
      { check: 'colour-space', space: 'srgb', severity: 'warning' },
    ],
  },
  'google-merchant': {
    label: 'Google Merchant Center product image',
    aspectRatio: '1:1',
    background: '#ffffff',
    size: 1500,
    formats: ['jpeg'],
    quality: 90,
    checks: [
      { check: 'min-side', px: 100, side: 'shortest', severity: 'error' },
      { check: 'min-side', px: 500, side: 'shortest', severity: 'warning' },
      { check: 'max-megapixels', megapixels: 64, severity: 'error' },
      { check: 'max-file-size', bytes: 16 * MB, severity: 'error' },
    ],
  },
};
