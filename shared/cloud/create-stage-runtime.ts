import { readDispatchSettings } from '../dispatch/settings.js';
import { createCloudRuntime } from './create-cloud-runtime.js';
import type { StageRuntime } from './run-stage-task.js';

/**
 * The Cloud Tasks worker's runtime: the cloud runtime (stores, lineage, dispatcher, announcement
 * channels) with the dispatch settings the worker checks each task against, all from the environment.
 * @throws ConfigError for a bad environment
 */
export function createStageRuntime(env: NodeJS.ProcessEnv): StageRuntime {
  const built = createCloudRuntime({ env });
  return { deps: built.deps, log: built.log, notify: built.notify, dispatch: readDispatchSettings(env) };
}
