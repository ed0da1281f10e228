import { PermanentError } from '../errors.js';
import { FORMAT_FILES } from '../imaging/index.js';
import type { CheckResult, CheckSpec, MarketplacePreset } from './check-schema.js';
import { measureOutput, type OutputMeasurements } from './measure.js';

/** One output file to check. */
export interface CheckedFile {
  role: string;
  format: string;
  data: Buffer;
}

/** A check and where it came from. */
export interface CheckRequest {
  spec: CheckSpec;
  preset?: MarketplacePreset | undefined;
}

/**
 * Measures every file once and holds it against every check.
 * @param background the output's background colour (`#rrggbb`), the default for background purity
 * @param enlarge whether the request allowed enlarging (named in the hint of a size too small)
 * @returns one result per (file, check), in check order
 */
export async function runChecks(options: {
  files: readonly CheckedFile[];
  checks: readonly CheckRequest[];
  background: string;
  enlarge: boolean;
}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const file of options.files) {
    const cache = new Map<string, OutputMeasurements>();
    const measure = async (colour: string) => {
      let m = cache.get(colour);
      if (!m) {
        m = await measureOutput(file.data, colour);
        cache.set(colour, m);
      }
      return m;
    };
    for (const { spec, preset } of options.checks) {
      const colour =
        spec.check === 'background-purity' ? (spec.colour ?? options.background) : options.background;
      const { pass, hint, measured, limit } = evaluate(spec, await measure(colour), {
        enlarge: options.enlarge,
        colour,
      });
      results.push({
        check: spec.check,
        role: file.role,
        format: file.format,
        measured,
        limit,
        verdict: pass ? 'pass' : 'fail',
        severity: spec.severity,
        ...(preset ? { preset } : {}),
        ...(!pass && hint ? { hint } : {}),
      });
    }
  }
  return results;
}

/**
 * @returns the name of the file a result is about, as it is written (`final.jpg`, not the
 *   format's name `final.jpeg`)
 */
export function checkedFileName(result: Pick<CheckResult, 'role' | 'format'>): string {
  const ext = (FORMAT_FILES as Record<string, { ext: string } | undefined>)[result.format]?.ext;
  return `${result.role}.${ext ?? result.format}`;
}

/**
 * Fails the job when any error-severity check failed, naming each failed check with its measured
 * value and limit; failed warning-severity checks come back as warning lines.
 * @throws PermanentError CHECK_FAILED, with every result in `details.checks`
 */
export function enforceChecks(results: readonly CheckResult[]): string[] {
  const line = (r: CheckResult) =>
    `check ${r.check}${r.preset ? ` (${r.preset})` : ''} failed on ${checkedFileName(r)}: measured ${r.measured}, limit ${r.limit}${r.hint ? ` — ${r.hint}` : ''}`;
  const errors = results.filter((r) => r.verdict === 'fail' && r.severity === 'error');
  if (errors.length > 0) {
    throw new PermanentError('CHECK_FAILED', errors.map(line).join('; '), { details: { checks: results } });
  }
  return results.filter((r) => r.verdict === 'fail').map(line);
}

/** The verdict of one check on one file's measurements. */
export function evaluate(
  spec: CheckSpec,
  m: OutputMeasurements,
  context: { enlarge: boolean; colour: string },
): { pass: boolean; measured: number | string; limit: string; hint?: string } {
  const side = (which: 'longest' | 'shortest') =>
    which === 'longest' ? Math.max(m.width, m.height) : Math.min(m.width, m.height);
  const share = (v: number) => Number(v.toFixed(4));
  switch (spec.check) {
    case 'background-purity':
      return {
        pass: m.backgroundPurity >= spec.min,
        measured: share(m.backgroundPurity),
        limit: `≥ ${spec.min} of ${m.backgroundPixels} background pixels exactly ${context.colour}`,
        hint: 'put the product on a plain backdrop or cut it out (a remove-background stage) so the preset can lay it on pure white',
      };
    case 'product-fill': {
      const okMin = spec.min === undefined || m.productFill >= spec.min;
      const okMax = spec.max === undefined || m.productFill <= spec.max;
      const limit = [
        spec.min === undefined ? '' : `≥ ${spec.min}`,
        spec.max === undefined ? '' : `≤ ${spec.max}`,
      ]
        .filter(Boolean)
        .join(' and ');
      return {
        pass: okMin && okMax,
        measured: share(m.productFill),
        limit,
        hint: 'the product is framed by its bounding box against the background; a scene or a non-uniform backdrop has none',
      };
    }
    case 'min-side':
      return {
        pass: side(spec.side) >= spec.px,
        measured: side(spec.side),
        limit: `${spec.side} side ≥ ${spec.px} px`,
        hint: context.enlarge
          ? 'the source is too small even enlarged to the preset size; use a larger source or an upscale stage'
          : `reaching it would enlarge the image: set "output.enlarge": true, or add "upscale" to the request`,
      };
    case 'max-side':
      return {
        pass: side(spec.side) <= spec.px,
        measured: side(spec.side),
        limit: `${spec.side} side ≤ ${spec.px} px`,
        hint: 'set output.maxSize',
      };
    case 'max-megapixels': {
      const mp = (m.width * m.height) / 1e6;
      return {
        pass: mp <= spec.megapixels,
        measured: Number(mp.toFixed(2)),
        limit: `≤ ${spec.megapixels} MP`,
        hint: 'set output.maxSize',
      };
    }
    case 'colour-space':
      return {
        pass: m.space === 'srgb' && m.profile !== 'other',
        measured: `${m.space}, profile ${m.profile}`,
        limit: 'sRGB',
      };
    case 'no-transparency':
      return {
        pass: m.transparentPixels === 0,
        measured: m.transparentPixels,
        limit: '0 transparent pixels',
        hint: 'write jpeg, or flatten onto the background',
      };
    case 'max-file-size':
      return {
        pass: m.bytes <= spec.bytes,
        measured: m.bytes,
        limit: `≤ ${spec.bytes} bytes`,
        hint: 'lower output.quality or output.maxSize',
      };
  }
}
