import type { OutputRecord } from '../lineage/records.js';
import type { Request } from '../request/index.js';

/**
 * Warnings for outputs smaller than the `maxSize` asked for: outputs are never enlarged unless
 * `enlarge` says so, and a marketplace that needs 2,000 px should hear it from the manifest and
 * the report, not from its own rejection.
 * @param output the request's `output` section
 * @param outputs the encoded outputs (role `final` or a size name, with width and height)
 * @returns one warning per role whose longest side is below its `maxSize`
 * @example sizeShortfalls({ ...output, maxSize: 2000 }, [{ role: 'final', width: 741, height: 741, … }])
 * // ['output.maxSize 2000: final is 741×741, …']
 */
export function sizeShortfalls(output: Request['output'], outputs: readonly OutputRecord[]): string[] {
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const out of outputs) {
    if (seen.has(out.role) || out.width === undefined || out.height === undefined) continue;
    const size = out.role === 'final' ? output : output.sizes?.[out.role];
    if (!size?.maxSize || size.enlarge) continue;
    seen.add(out.role);
    const longest = Math.max(out.width, out.height);
    if (longest >= size.maxSize) continue;
    const field = out.role === 'final' ? 'output.maxSize' : `output.sizes.${out.role}.maxSize`;
    const flag = out.role === 'final' ? '"output": { "enlarge": true }' : `"enlarge": true on the size`;
    warnings.push(
      `${field} ${size.maxSize}: ${out.role} is ${out.width}×${out.height}, because the edited image is smaller and ` +
        `outputs are never enlarged; set ${flag} to resample up, or use the "upscale" option for real detail`,
    );
  }
  return warnings;
}
