import type { Engine, EngineRegistry } from './engine.js';
import { createGeminiEngine } from './gemini/index.js';
import { createLocalEngine } from './local/index.js';
import { createReplicateEngine } from './replicate/index.js';

/** Options of {@link createEngineRegistry}. */
export interface EngineRegistryOptions {
  /** The environment the engines read their credentials and endpoints from. */
  env: NodeJS.ProcessEnv;
  /** The Gemini model used when a request names none. */
  geminiModel: string;
  /** Model tries per Gemini call (default: the engine's own, `GEMINI_RETRY_DEFAULTS`). */
  geminiMaxAttempts?: number | undefined;
  /** Engines to use instead of (or beside) the built-in ones, e.g. fakes in tests. */
  overrides?: Engine[];
}

/**
 * Every engine this build has, by name. Building them is cheap and never fails:
 * an engine without credentials refuses at plan time, with a message naming the variable.
 */
export function createEngineRegistry(options: EngineRegistryOptions): EngineRegistry {
  const engines: Engine[] = [
    createLocalEngine(),
    createGeminiEngine({
      env: options.env,
      defaultModel: options.geminiModel,
      maxAttempts: options.geminiMaxAttempts,
    }),
    createReplicateEngine({ env: options.env }),
    ...(options.overrides ?? []),
  ];
  return new Map(engines.map((e) => [e.name, e]));
}
