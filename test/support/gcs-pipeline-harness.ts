import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { loadConfig } from '../../shared/config.js';
import type { Engine } from '../../shared/engines/engine.js';
import { createEngineRegistry } from '../../shared/engines/registry.js';
import { createFirestoreLineageStore } from '../../shared/lineage/firestore-lineage-store.js';
import type { LineageStore } from '../../shared/lineage/lineage-store.js';
import type { JobRecord } from '../../shared/lineage/records.js';
import { silentLogger } from '../../shared/log.js';
import {
  type HandleOptions,
  handleObject,
  type Outcome,
  type PipelineDeps,
} from '../../shared/pipeline/index.js';
import { createGcsObjectStore } from '../../shared/storage/gcs-object-store.js';
import { testFirestore } from './firestore.js';
import { type GcsServer, type StoredObject, startGcsServer } from './gcs-server/index.js';

/** The input bucket of {@link GcsPipelineHarness}. */
export const DROP = 'drop';
/** The results bucket of {@link GcsPipelineHarness}. */
export const RESULTS = 'results';

/**
 * The pipeline over the real Cloud Storage client talking to the GCS test server (with its
 * fault injection), Firestore on the emulator, and the local engine. The client does not
 * retry by itself, so one injected failure reaches the pipeline.
 */
export interface GcsPipelineHarness {
  gcs: GcsServer;
  deps: PipelineDeps;
  lineage: LineageStore;
  /** Stores an object in the drop bucket (a new generation). */
  upload(name: string, data: Buffer | string, contentType?: string): StoredObject;
  /** Delivers the arrival of the live generation of `name`. */
  arrive(name: string, options?: HandleOptions): Promise<Outcome>;
  /** The files of a job, relative to its prefix. */
  files(prefix: string): Map<string, StoredObject>;
  job(jobId: string): Promise<JobRecord | undefined>;
  close(): Promise<void>;
}

/**
 * @param options.env extra configuration on top of the local engine
 * @param options.versioning object versioning on the test server's buckets
 */
export async function createGcsPipelineHarness(
  options: { env?: Record<string, string>; engines?: Engine[]; versioning?: boolean } = {},
): Promise<GcsPipelineHarness> {
  const gcs = await startGcsServer({ versioning: options.versioning ?? false });
  const env = { DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64', ...options.env };
  const config = loadConfig(env);
  const firestore: Firestore = testFirestore();
  const lineage = createFirestoreLineageStore({ firestore });
  const store = createGcsObjectStore({
    projectId: 'demo-darkroom',
    apiEndpoint: gcs.url,
    retryOptions: { autoRetry: false },
  });
  const deps: PipelineDeps = {
    config,
    store,
    lineage,
    engines: createEngineRegistry({ env, geminiModel: config.geminiModel, overrides: options.engines }),
    log: silentLogger,
    owner: `test-${randomUUID().slice(0, 8)}`,
    results: { bucket: RESULTS, prefix: config.results.prefix },
  };
  return {
    gcs,
    deps,
    lineage,
    upload: (name, data, contentType) =>
      gcs.putObject(DROP, name, data, {
        contentType: contentType ?? (name.endsWith('.json') ? 'application/json' : 'image/jpeg'),
      }),
    arrive(name, handleOptions) {
      const live = gcs.getObject(DROP, name);
      if (!live) throw new Error(`no ${name} in the drop bucket`);
      return handleObject(deps, { bucket: DROP, name, generation: live.generation }, handleOptions);
    },
    files(prefix) {
      return new Map(gcs.listObjects(RESULTS, prefix).map((o) => [o.name.slice(prefix.length), o]));
    },
    job: (jobId) => lineage.getJob(jobId),
    async close() {
      await firestore.terminate();
      await gcs.close();
    },
  };
}
