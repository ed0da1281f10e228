import sharp, { type Sharp } from 'sharp';

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

/** A deterministic image whose pixels all differ from their neighbours, for checks that pixels survive exactly. */
export function pattern(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  const raw = Buffer.alloc(width * height * channels);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + Math.floor(i / (width * channels)) * 13) % 256;
  return sharp(raw, { raw: { width, height, channels } });
}
