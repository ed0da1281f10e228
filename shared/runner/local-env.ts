import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import { createFirestoreBatchStore } from '../batch/firestore-batch-store.js';
import type { Config } from '../config.js';
import { paceEngines } from '../dispatch/pace.js';
import { readDispatchSettings } from '../dispatch/settings.js';
import type { Engine } from '../engines/engine.js';
import { createEngineRegistry } from '../engines/registry.js';
import { startFirestoreEmulator } from '../lineage/emulator.js';
import { createFirestoreClient } from '../lineage/firestore-client.js';
import { createFirestoreLineageStore } from '../lineage/firestore-lineage-store.js';
import { loadSnapshot, saveSnapshot } from '../lineage/snapshot.js';
import type { Logger } from '../log.js';
import type { PipelineDeps } from '../pipeline/index.js';
import { createFsObjectStore } from '../storage/fs-object-store.js';

/** Bucket names the local runner gives its folders. */
export const DROP_BUCKET = 'drop';
export const RESULTS_BUCKET = 'results';

/** Where the local runner keeps its lineage between runs, inside the results folder. */
export const SNAPSHOT_FILE = '.darkroom/lineage.json';

/** Options of {@link openLocalEnvironment}. */
export interface LocalEnvironmentOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  /** The drop folder (absent for commands that only read lineage). */
  dropDir?: string | undefined;
  resultsDir: string;
  log: Logger;
  /** Extra engines (tests and benchmarks). */
  engines?: Engine[];
}

/** The local runner's world: folders as buckets, Firestore (emulated unless configured). */
export interface LocalEnvironment {
  deps: PipelineDeps;
  firestore: Firestore;
  /** true when lineage lives in the in-process emulator and is kept in a snapshot. */
  emulated: boolean;
  /** Saves the lineage snapshot (a no-op against a real or external Firestore). */
  persist(): Promise<void>;
  /** Saves the snapshot (unless `persist: false`, for commands that only look) and stops everything. */
  close(options?: { persist?: boolean }): Promise<void>;
}

/**
 * Opens the local environment. Without `FIRESTORE_EMULATOR_HOST`, starts the in-process
 * Firestore emulator and restores the lineage kept under the results folder, so that
 * lineage survives restarts of the runner.
 */
export async function openLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const resultsDir = resolve(options.resultsDir);
  const snapshotFile = join(resultsDir, SNAPSHOT_FILE);
  let stopEmulator: (() => void) | undefined;
  let projectId = options.config.projectId;
  let emulatorHost = options.env.FIRESTORE_EMULATOR_HOST;
  if (!emulatorHost) {
    const emulator = await startFirestoreEmulator();
    stopEmulator = emulator.stop;
    emulatorHost = emulator.host;
    projectId ??= 'demo-darkroom';
  }
  const firestore = createFirestoreClient({
    projectId,
    databaseId: options.config.firestoreDatabase,
    emulatorHost,
  });
  const emulated = stopEmulator !== undefined;
  const release = async () => {
    try {
      await firestore.terminate();
    } finally {
      // A running emulator keeps the process alive: it must stop whatever happened before.
      stopEmulator?.();
    }
  };
  if (emulated) {
    try {
      const restored = await loadSnapshot(firestore, snapshotFile);
      if (restored > 0) options.log.debug('lineage restored', { documents: restored, from: snapshotFile });
    } catch (err) {
      // A corrupt snapshot: release the client and the emulator, or the CLI hangs after the error.
      await release();
      throw new Error(
        `could not restore lineage from ${snapshotFile}: ${err instanceof Error ? err.message : String(err)} (move the file away to start with empty lineage)`,
        { cause: err },
      );
    }
  }
  const buckets: Record<string, string> = { [RESULTS_BUCKET]: resultsDir };
  if (options.dropDir) buckets[DROP_BUCKET] = resolve(options.dropDir);
  const deps: PipelineDeps = {
    config: options.config,
    store: createFsObjectStore({ buckets }),
    lineage: createFirestoreLineageStore({ firestore }),
    batches: createFirestoreBatchStore({ firestore }),
    // MODEL_RPM paces engine calls in-process (docs/dispatch.md).
    engines: paceEngines(
      createEngineRegistry({
        env: options.env,
        geminiModel: options.config.geminiModel,
        overrides: options.engines,
      }),
      { rpm: readDispatchSettings(options.env).MODEL_RPM },
    ),
    log: options.log,
    owner: `${hostname()}:${process.pid}`,
    results: { bucket: RESULTS_BUCKET, prefix: options.config.results.prefix },
  };
  const persist = async () => {
    if (emulated) await saveSnapshot(firestore, snapshotFile);
  };
  return {
    deps,
    firestore,
    emulated,
    persist,
    async close(options = {}) {
      try {
        if (options.persist !== false) await persist();
      } finally {
        await release();
      }
    },
  };
}
