/**
 * The cloud side's public face, for the Cloud Functions in functions/: the CloudEvent request
 * handler and the storage-event handler load at cold start; the runtimes behind them load on the
 * first request (load-runtime.ts).
 */
export { cloudEventHttpHandler } from './cloud-event-request.js';
export { type CloudRuntime, handleStorageEvent } from './handle-storage-event.js';
export {
  type CollectorHandler,
  loadCloudRuntime,
  loadCollector,
  loadStageWorker,
  type StageHandler,
} from './load-runtime.js';
export { startOnce } from './start-once.js';
