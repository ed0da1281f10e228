import sharp from 'sharp';

/** RGBA of one pixel of an encoded image (alpha 255 when the image has none). */
export async function pixelAt(data: Buffer, x: number, y: number): Promise<[number, number, number, number]> {
  const { data: raw, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [raw[at] ?? 0, raw[at + 1] ?? 0, raw[at + 2] ?? 0, raw[at + 3] ?? 0];
}

/** True when every channel of `actual` is within `tolerance` of `expected`. */
export function near(actual: readonly number[], expected: readonly number[], tolerance = 24): boolean {
  return expected.every((v, i) => Math.abs((actual[i] ?? -999) - v) <= tolerance);
}

/** A solid-colour PNG, for building inputs in tests. */
export function solid(
  width: number,
  height: number,
  background: string,
  channels: 3 | 4 = 3,
): Promise<Buffer> {
  return sharp({ create: { width, height, channels, background } }).png().toBuffer();
}
