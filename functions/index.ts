/**
 * The Cloud Function: `processUpload` on `google.cloud.storage.object.v1.finalized`.
 * Parse the envelope, run the pipeline, acknowledge (204) or ask for redelivery (500).
 * See docs/cloud-function.md.
 */
import { type CloudEvent, http } from '@google-cloud/functions-framework';
import {
  type CloudRuntime,
  cloudEventHttpHandler,
  handleStorageEvent,
  loadCloudRuntime,
  startOnce,
} from '../shared/cloud/index.js';

/** Builds the runtime once per instance; the SDKs load on the first event, not at cold start. */
const getRuntime = startOnce<CloudRuntime>(() => loadCloudRuntime(process.env));

/**
 * Handles one Cloud Storage CloudEvent. Resolves (204, acknowledged) for every outcome that
 * redelivery could not change; rejects (500, redelivered) for transient failures, a job busy
 * elsewhere, and an invalid configuration.
 * @param event the CloudEvent, binary or structured mode
 */
export async function processUpload(event: CloudEvent<unknown>): Promise<void> {
  await handleStorageEvent(event, { runtime: getRuntime });
}

// Registered as an HTTP function that reads the CloudEvent itself: the framework's `cloudevent`
// middleware answers 500 to a `text/plain` body before the function runs (see
// shared/cloud/cloud-event-request.ts), and such an event must be acknowledged like any unusable one.
http(
  'processUpload',
  cloudEventHttpHandler((event) => processUpload(event as CloudEvent<unknown>)),
);

// The batch lane's collector, called by Cloud Scheduler (docs/batch.md).
export { collectBatches } from './collect-batches.js';
// The Cloud Tasks worker of DISPATCH=tasks, deployed from the same source (docs/dispatch.md).
export { runStage } from './run-stage.js';
