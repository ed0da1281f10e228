import sharp from 'sharp';

let configured = false;

/**
 * Process-wide sharp settings, applied once on first use rather than at import time.
 *
 * The libvips operation cache only helps when the very same operation runs twice on
 * the same input; the pipeline never does that, and the cache holds up to 50 MiB of
 * decoded pixels per process. Turning it off keeps a 24 MP job inside its memory budget.
 */
export function configureSharp(): void {
  if (configured) return;
  configured = true;
  sharp.cache(false);
}

/** Formats sharp can decode from a buffer in this build, e.g. `heif` only when libheif is present. */
export function sharpCanRead(format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'heif'): boolean {
  return sharp.format[format]?.input.buffer === true;
}
