import type { PipelineDeps } from '../pipeline/deps.js';
import type { BatchClient } from './batch-client.js';
import type { BatchStore } from './batch-store.js';

/** What the collector and the poller need: the pipeline's deps with a batch store and client. */
export type BatchDeps = PipelineDeps & { batches: BatchStore; batchClient: BatchClient };
