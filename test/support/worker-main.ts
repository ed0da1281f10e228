/**
 * A pipeline worker in a process of its own (run with tsx by `spawnWorker`): it builds the
 * pipeline over the given drop and results folders, Firestore project (the emulator named by
 * FIRESTORE_EMULATOR_HOST) and engine environment, delivers one event with `handleObject`,
 * and prints the outcome as one JSON line on stdout. Another process may be doing the same
 * at the same time, or may kill this one mid-stage.
 */
import { Firestore } from '@google-cloud/firestore';
import { loadConfig } from '../../shared/config.js';
import { createEngineRegistry } from '../../shared/engines/registry.js';
import { createFirestoreLineageStore } from '../../shared/lineage/firestore-lineage-store.js';
import { silentLogger } from '../../shared/log.js';
import { handleObject, type PipelineDeps } from '../../shared/pipeline/index.js';
import { createFsObjectStore } from '../../shared/storage/fs-object-store.js';
import type { WorkerJob } from './worker-process.js';

const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

// A worker that crashes must say so, not die silently: the parent asserts no such line appears.
process.on('unhandledRejection', (reason) => {
  report({ type: 'crash', reason: String(reason) });
  process.exit(70);
});
process.on('uncaughtException', (err) => {
  report({ type: 'crash', reason: String(err) });
  process.exit(70);
});

async function main(): Promise<void> {
  const job = JSON.parse(process.env.DARKROOM_WORKER_JOB ?? '') as WorkerJob;
  const config = loadConfig(job.env);
  const firestore = new Firestore({ projectId: job.projectId });
  const offset = job.clockOffsetMs ?? 0;
  const deps: PipelineDeps = {
    config,
    store: createFsObjectStore({ buckets: { drop: job.dropDir, results: job.resultsDir } }),
    lineage: createFirestoreLineageStore({ firestore }),
    engines: createEngineRegistry({ env: job.env, geminiModel: config.geminiModel }),
    log: silentLogger,
    owner: job.owner,
    results: { bucket: 'results', prefix: config.results.prefix },
    now: () => Date.now() + offset,
  };
  report({ type: 'ready', pid: process.pid });
  const outcome = await handleObject(deps, { bucket: 'drop', name: job.name, generation: job.generation });
  report({ type: 'outcome', outcome });
  await firestore.terminate();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    report({ type: 'threw', reason: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
