import type { OutputFormat, OutputOptions } from '../request/index.js';
import { type ShapeOptions, shapeFor } from './shape.js';

/**
 * The largest side each output format can hold, as the encoders sharp uses enforce it
 * (measured with sharp 0.34: a wider image fails "too large for the … format").
 * WebP stores each side in 14 bits (https://developers.google.com/speed/webp/faq#what_is_the_maximum_size_a_webp_image_can_be);
 * libjpeg refuses sides over 65,500; libheif's AVIF encoder refuses sides over 16,384;
 * PNG's own limit (2^31 − 1) is far above any pixel budget.
 */
export const FORMAT_MAX_SIDE: Readonly<Record<OutputFormat, number>> = {
  webp: 16_383,
  jpeg: 65_500,
  avif: 16_384,
  png: 2 ** 31 - 1,
};

/** The width and height an output will have for an image of `image`'s size. */
export function outputDimensions(
  image: { width: number; height: number },
  options: ShapeOptions,
): { width: number; height: number } {
  const shape = shapeFor(image, options);
  if (shape.kind === 'none') return { width: image.width, height: image.height };
  if (shape.kind !== 'inside') return { width: shape.width, height: shape.height };
  const fit = shape.width / Math.max(image.width, image.height);
  const scale = shape.enlarge ? fit : Math.min(1, fit);
  return {
    width: Math.max(1, Math.round(image.width * scale)),
    height: Math.max(1, Math.round(image.height * scale)),
  };
}

/**
 * What is wrong with the outputs a request asks for, for an image of this size: an output over
 * `maxPixels` (`MAX_OUTPUT_PIXELS`), or wider than one of its formats can hold. Cheap: nothing is
 * decoded, so it runs before any work and again before encoding.
 * @returns one message per problem, each naming the request field (empty when all fit)
 * @example outputLimitProblems({ width: 3072, height: 3072 }, output, 50_000_000)
 */
export function outputLimitProblems(
  image: { width: number; height: number },
  output: OutputOptions,
  maxPixels: number,
): string[] {
  const roles: Array<{ path: string; shape: ShapeOptions; formats: OutputFormat[] }> = [
    { path: 'output', shape: output, formats: output.formats },
    ...Object.entries(output.sizes ?? {}).map(([name, size]) => ({
      path: `output.sizes.${name}`,
      shape: size,
      formats: size.formats ?? output.formats,
    })),
  ];
  const problems: string[] = [];
  for (const role of roles) {
    const { width, height } = outputDimensions(image, role.shape);
    const pixels = width * height;
    const of = `would be ${width}×${height} from a ${image.width}×${image.height} image`;
    if (pixels > maxPixels) {
      problems.push(
        `${role.path}: ${of} (${pixels} pixels), over MAX_OUTPUT_PIXELS (${maxPixels}); set a maxSize or a narrower aspectRatio`,
      );
      continue;
    }
    for (const format of role.formats) {
      const limit = FORMAT_MAX_SIDE[format];
      if (Math.max(width, height) > limit) {
        problems.push(`${role.path}: ${of}, but ${format} holds at most ${limit} px a side; set a maxSize`);
      }
    }
  }
  return problems;
}
