import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** Photos the generated test images are made from (already in the repository). */
export const SOURCE_PHOTOS = {
  coffee: fileURLToPath(new URL('../../test/fixtures/images/coffee.png', import.meta.url)),
  brick: fileURLToPath(new URL('../../test/fixtures/images/brick.png', import.meta.url)),
  chelsea: fileURLToPath(new URL('../../test/fixtures/images/chelsea.png', import.meta.url)),
} as const;

/** Options of {@link makePhoto}. */
export interface MakePhotoOptions {
  width: number;
  height: number;
  /** Which repository photo to enlarge. Default `coffee`. */
  from?: keyof typeof SOURCE_PHOTOS;
  /** JPEG quality, as a camera would write it. Default 90. */
  quality?: number;
  /** Strength of the sensor-like grain laid over the enlarged photo. Default 12. */
  grain?: number;
}

/**
 * Writes a camera-like JPEG of the given size: a repository photo enlarged to the size,
 * with gaussian grain so the file has the fine detail (and the decode and encode cost) of
 * a real photo rather than the smooth gradients of an upscale. Made at run time, so no
 * large file is ever committed.
 * @returns the file path
 */
export async function makePhoto(path: string, options: MakePhotoOptions): Promise<string> {
  const { width, height } = options;
  await mkdir(dirname(path), { recursive: true });
  const base = await sharp(SOURCE_PHOTOS[options.from ?? 'coffee'])
    .removeAlpha()
    .resize(width, height, { fit: 'cover' })
    .raw()
    .toBuffer();
  const grain = {
    create: {
      width,
      height,
      channels: 3 as const,
      background: '#808080',
      noise: { type: 'gaussian' as const, mean: 128, sigma: options.grain ?? 12 },
    },
  };
  await sharp(base, { raw: { width, height, channels: 3 } })
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: options.quality ?? 90 })
    .toFile(path);
  return path;
}

/** Makes `count` small JPEGs named `name-0001.jpg` … under `dir` (each a copy of one made image). */
export async function makePhotoSet(
  dir: string,
  count: number,
  options: MakePhotoOptions & { name?: string },
): Promise<string[]> {
  const first = await makePhoto(join(dir, '.template.jpg'), options);
  const bytes = await sharp(first).toBuffer();
  const { writeFile, rm } = await import('node:fs/promises');
  const paths: string[] = [];
  for (let i = 1; i <= count; i++) {
    const path = join(dir, `${options.name ?? 'photo'}-${String(i).padStart(4, '0')}.jpg`);
    await writeFile(path, bytes);
    paths.push(path);
  }
  await rm(first);
  return paths;
}
