import { createGeminiBatchClient } from '../engines/gemini/batch-client.js';
import { type CollectorRuntime, readCollectorSettings } from './collect-batches.js';
import { createCloudRuntime } from './create-cloud-runtime.js';

/**
 * The batch collector's runtime: the cloud runtime (stores, lineage, dispatcher) with the
 * Gemini batch client and the collector's settings, all from the environment.
 * @throws ConfigError for a bad environment
 */
export function createCollectorRuntime(env: NodeJS.ProcessEnv): CollectorRuntime {
  const settings = readCollectorSettings(env);
  const built = createCloudRuntime({ env });
  const batchClient = createGeminiBatchClient({ env });
  const batches = built.deps.batches as CollectorRuntime['deps']['batches'];
  return { deps: { ...built.deps, batches, batchClient }, log: built.log, settings, notify: built.notify };
}
