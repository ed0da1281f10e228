import type { Engine, EngineResult } from '../../shared/engines/engine.js';

/** The name requests use to pick the {@link createInstantEngine} engine. */
export const INSTANT_ENGINE_NAME = 'instant';

/**
 * An engine that returns its input at once: what is left of a job when the model costs
 * nothing. Benchmarks only; never registered outside `bench/`.
 * @example openLocalEnvironment({ ..., engines: [createInstantEngine()] })
 */
export function createInstantEngine(): Engine {
  return {
    name: INSTANT_ENGINE_NAME,
    generative: true,
    plan: () => ({ model: INSTANT_ENGINE_NAME, warnings: [] }),
    async edit(request): Promise<EngineResult> {
      return { image: request.input, model: INSTANT_ENGINE_NAME, warnings: [] };
    },
  };
}
