import type { EnginePlan } from '../engines/engine.js';

/**
 * The warning for a stage that asks for variants of an edit that does not depend on the seed:
 * its variants would be byte-identical files with different recorded seeds.
 * @param options.variants the stage's `variants`
 * @param options.plan the engine's plan of the stage
 * @param options.engine the engine name, for the message
 * @returns the warning, or undefined when the variants can differ
 * @example variantWarning({ variants: 3, plan: { model: 'm', warnings: [], seedIndependent: true }, engine: 'local' })
 */
export function variantWarning(options: {
  variants: number;
  plan: EnginePlan;
  engine: string;
}): string | undefined {
  if (options.variants <= 1 || options.plan.seedIndependent !== true) return undefined;
  return (
    `variants: ${options.variants} asks for outputs with distinct seeds, but this ${options.engine} edit does not ` +
    'depend on the seed, so they would be identical; drop "variants", or use a generative engine ' +
    '(the local engine varies only film grain with the seed)'
  );
}
