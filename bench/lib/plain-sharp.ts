import sharp from 'sharp';

/** The warm colour gain the plain script applies: red up, blue down, as a white-balance shift. */
export const PLAIN_WARM_GAIN = [1.06, 1.0, 0.9] as const;

/** Options of {@link plainSharp}. */
export interface PlainSharpOptions {
  /** Apply {@link PLAIN_WARM_GAIN} (the "Make it warmer" edit) before encoding. */
  warm: boolean;
  quality: number;
}

/**
 * What a person would write without Darkroom for the same user-visible work: decode,
 * auto-orient, optionally a warm colour gain, WebP at the given quality. Nothing else:
 * no lineage, no provenance, no resume points.
 * @returns the encoded bytes
 */
export async function plainSharp(input: Buffer, options: PlainSharpOptions): Promise<Buffer> {
  let image = sharp(input).rotate();
  if (options.warm) image = image.linear([...PLAIN_WARM_GAIN], [0, 0, 0]);
  return image.webp({ quality: options.quality }).toBuffer();
}

/**
 * Runs `work` over every file with `concurrency` workers, as a script with a small pool would.
 * @returns the number of files done
 */
export async function overFiles(
  files: readonly string[],
  concurrency: number,
  work: (file: string) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (let file = files[next++]; file !== undefined; file = files[next++]) await work(file);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return files.length;
}
