/**
 * The functions' runtimes, loaded on first use: this file imports the wiring (and with it the SDKs
 * and every adapter) only when a function calls it, so a cold start loads none of it.
 */
import type { CollectorReply } from './collect-batches.js';
import type { CloudRuntime } from './handle-storage-event.js';
import type { StageReply, StageRequest } from './run-stage-task.js';

/** The batch collector, started: answers one Cloud Scheduler run. */
export type CollectorHandler = (request: {
  headers: Record<string, string | string[] | undefined>;
}) => Promise<CollectorReply>;

/** The Cloud Tasks worker, started: answers one dispatch of a stage task. */
export type StageHandler = (request: StageRequest) => Promise<StageReply>;

/**
 * Builds `processUpload`'s runtime (`createCloudRuntime`).
 * @throws ConfigError for a bad environment
 */
export async function loadCloudRuntime(env: NodeJS.ProcessEnv): Promise<CloudRuntime> {
  const { createCloudRuntime } = await import('./create-cloud-runtime.js');
  return createCloudRuntime({ env });
}

/**
 * Builds the collector's runtime (`createCollectorRuntime`) and binds `handleCollectorRequest` to it.
 * @throws ConfigError for a bad environment
 */
export async function loadCollector(env: NodeJS.ProcessEnv): Promise<CollectorHandler> {
  const [wiring, handler] = await Promise.all([
    import('./create-collector-runtime.js'),
    import('./collect-batches.js'),
  ]);
  const runtime = wiring.createCollectorRuntime(env);
  return (request) => handler.handleCollectorRequest(request, runtime);
}

/**
 * Builds the worker's runtime (`createStageRuntime`) and binds `handleStageTask` to it.
 * @throws ConfigError for a bad environment
 */
export async function loadStageWorker(env: NodeJS.ProcessEnv): Promise<StageHandler> {
  const [wiring, handler] = await Promise.all([
    import('./create-stage-runtime.js'),
    import('./run-stage-task.js'),
  ]);
  const runtime = wiring.createStageRuntime(env);
  return (request) => handler.handleStageTask(request, runtime);
}
