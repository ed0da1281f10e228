import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config.js';
import type { Engine } from '../../shared/engines/engine.js';
import { silentLogger } from '../../shared/log.js';
import { DROP_BUCKET, type LocalEnvironment, openLocalEnvironment } from '../../shared/runner/local-env.js';

/** A local-runner world in a temp folder: `drop/` and `results/` as buckets, Firestore elsewhere. */
export interface BenchWorld {
  env: LocalEnvironment;
  dropDir: string;
  resultsDir: string;
  bucket: typeof DROP_BUCKET;
}

/** Options of {@link openWorld}. */
export interface OpenWorldOptions {
  /** Root folder; `drop/` and `results/` are made inside. */
  dir: string;
  /** `host:port` of a running Firestore emulator (see `startFirestoreProcess`). */
  firestoreHost: string;
  engines: Engine[];
  /** Extra environment for the config and the engines. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the local runner's environment (fs store, Firestore lineage, the given engines)
 * exactly as `darkroom run` does, against an emulator in another process.
 */
export async function openWorld(options: OpenWorldOptions): Promise<BenchWorld> {
  const dropDir = join(options.dir, 'drop');
  const resultsDir = join(options.dir, 'results');
  await mkdir(dropDir, { recursive: true });
  await mkdir(resultsDir, { recursive: true });
  // The Firestore client reads the variable when it is constructed.
  process.env.FIRESTORE_EMULATOR_HOST = options.firestoreHost;
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const env: NodeJS.ProcessEnv = {
    FIRESTORE_EMULATOR_HOST: options.firestoreHost,
    GOOGLE_CLOUD_PROJECT: 'demo-bench',
    DARKROOM_ENGINE: 'local',
    ...options.env,
  };
  const local = await openLocalEnvironment({
    config: loadConfig(env),
    env,
    dropDir,
    resultsDir,
    log: silentLogger,
    engines: options.engines,
  });
  return { env: local, dropDir, resultsDir, bucket: DROP_BUCKET };
}
