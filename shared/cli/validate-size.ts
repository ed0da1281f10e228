import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { shapeFor } from '../imaging/index.js';
import type { Request } from '../request/index.js';

/**
 * What `validate` can say about output sizes when it can see the image beside the sidecar (the
 * `image` field, or the same-stem file): a `maxSize` the image cannot reach. Reads the header
 * only, and assumes the edits keep the image's size (the local engine does; generative models
 * may not).
 * @param request the decoded request
 * @param file the sidecar's path
 * @returns warning lines; none when no image is beside the sidecar or it cannot be read
 */
export async function sizeWarnings(request: Request, file: string): Promise<string[]> {
  const image = await _imageBeside(request, file);
  if (!image) return [];
  const meta = await sharp(image)
    .metadata()
    .catch(() => undefined);
  if (!meta?.width || !meta.height) return [];
  const oriented = (meta.orientation ?? 1) >= 5;
  const source = oriented
    ? { width: meta.height, height: meta.width }
    : { width: meta.width, height: meta.height };
  const out: string[] = [];
  const sizes = [['final', request.output] as const, ...Object.entries(request.output.sizes ?? {})];
  for (const [role, size] of sizes) {
    if (!size.maxSize || size.enlarge) continue;
    const shape = shapeFor(source, size);
    const [w, h] = shape.kind === 'none' ? [source.width, source.height] : [shape.width, shape.height];
    const made = shape.kind === 'inside' ? _inside(source, size.maxSize) : { width: w, height: h };
    if (Math.max(made.width, made.height) >= size.maxSize) continue;
    const field = role === 'final' ? 'output.maxSize' : `output.sizes.${role}.maxSize`;
    out.push(
      `${field} ${size.maxSize}: ${basename(image)} is ${source.width}×${source.height}, so ${role} would be ` +
        `${made.width}×${made.height} (outputs are never enlarged; set "enlarge": true, or use "upscale")`,
    );
  }
  return out;
}

function _inside(source: { width: number; height: number }, maxSize: number) {
  const scale = Math.min(1, maxSize / Math.max(source.width, source.height));
  return { width: Math.round(source.width * scale), height: Math.round(source.height * scale) };
}

async function _imageBeside(request: Request, file: string): Promise<string | undefined> {
  const folder = dirname(file);
  if (request.image) return join(folder, request.image);
  const stem = basename(file, extname(file));
  const names = await readdir(folder).catch(() => [] as string[]);
  const found = names.find((n) => n !== basename(file) && basename(n, extname(n)) === stem);
  return found ? join(folder, found) : undefined;
}
