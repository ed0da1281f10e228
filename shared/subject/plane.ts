import sharp, { type Sharp } from 'sharp';

/**
 * Runs sharp operations on a one-byte-per-pixel plane (a mask, noise) and returns a plane.
 * Without the explicit `b-w` output, sharp would hand back three channels.
 */
export async function transformPlane(
  plane: Buffer,
  size: { width: number; height: number },
  operations: (image: Sharp) => Sharp,
): Promise<Buffer> {
  const image = sharp(plane, { raw: { width: size.width, height: size.height, channels: 1 } });
  return operations(image).toColourspace('b-w').raw().toBuffer();
}
