import type { StagePlan } from '../../../shared/engines/engine.js';

/**
 * A stage plan with sensible defaults for engine tests.
 * @example stagePlan({ referenceCount: 2 }, { seed: 42, imageSize: '2K' })
 */
export function stagePlan(
  over: Partial<Omit<StagePlan, 'params'>> = {},
  params: Partial<StagePlan['params']> = {},
) {
  const plan: StagePlan = {
    index: 0,
    name: 'edit',
    prompt: 'Invert the colours of image 1 and place image 2 in the top-left corner.',
    referenceCount: 0,
    ...over,
    params: { seed: 1234, ...params },
  };
  return plan;
}

/** The environment that points the SDK's Gemini API backend at a test server. */
export function geminiApiEnv(url: string, key = 'test-key'): NodeJS.ProcessEnv {
  return { GEMINI_API_KEY: key, GOOGLE_GEMINI_BASE_URL: url };
}

/**
 * A clock for the engine's retries whose `sleep` records the wait and moves time forward instead
 * of waiting.
 */
export function fakeClock(start = 1_700_000_000_000, random = () => 0) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    random,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}
