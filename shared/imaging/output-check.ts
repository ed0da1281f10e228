import type { EngineImage, EngineOutput, OutputCheck } from '../engines/engine.js';
import { decodeEngineImage } from './decode.js';

/**
 * The most pixels an engine's output may have when no limit is given (an engine used on its own):
 * the largest Gemini output is 4K, ~17 MP.
 */
export const ENGINE_OUTPUT_MAX_PIXELS = 50_000_000;

/**
 * Checks an engine's output: the real type sniffed from the bytes (SVG, PDF, BMP and unknown bytes
 * refused, never rendered), the pixel count read from the header and refused over `maxPixels`
 * before decoding, then decoded in full. PNG, JPEG and WebP are kept byte for byte; other formats
 * are normalised to PNG. An output that carries the pixels its engine drew (the local engine) is not
 * decoded again: its header must describe exactly those pixels, and they are kept with it.
 * @param output bytes and the declared type (never trusted)
 * @param options `maxPixels` (default {@link ENGINE_OUTPUT_MAX_PIXELS}); `source` for messages
 * @returns the verified image
 * @throws EngineError `ENGINE_BAD_OUTPUT`
 */
export function checkEngineOutput(
  output: EngineOutput,
  options: { maxPixels?: number | undefined; source?: string | undefined } = {},
): Promise<EngineImage> {
  return decodeEngineImage(output.data, {
    maxPixels: options.maxPixels ?? ENGINE_OUTPUT_MAX_PIXELS,
    source: options.source,
    declared: output.mimeType,
    pixels: output.pixels,
  });
}

/**
 * An {@link OutputCheck} that checks each output once: an engine that checked its reply inside its
 * retry loop and the pipeline that receives it share the one decode.
 * @param options `maxPixels`, the pipeline's `MAX_INPUT_PIXELS`
 * @example
 * const check = createOutputCheck({ maxPixels: config.limits.maxInputPixels });
 * const result = await engine.edit({ ...request, checkOutput: check });
 * const image = await check(result.image); // no second decode when the engine checked it
 */
export function createOutputCheck(options: { maxPixels?: number | undefined } = {}): OutputCheck {
  const checked = new WeakMap<Buffer, Promise<EngineImage>>();
  return (output, context) => {
    const known = checked.get(output.data);
    if (known) return known;
    const image = checkEngineOutput(output, { maxPixels: options.maxPixels, source: context?.source });
    checked.set(output.data, image);
    // What the check returned is checked too (a normalised PNG is not checked again).
    void image.then((verified) => checked.set(verified.data, image)).catch(() => undefined);
    return image;
  };
}
