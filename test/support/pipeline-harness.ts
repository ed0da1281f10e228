import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import { createFirestoreBatchStore } from '../../shared/batch/firestore-batch-store.js';
import { loadConfig } from '../../shared/config.js';
import type { Engine } from '../../shared/engines/engine.js';
import { createEngineRegistry } from '../../shared/engines/registry.js';
import { createFirestoreLineageStore } from '../../shared/lineage/firestore-lineage-store.js';
import type { LineageStore } from '../../shared/lineage/lineage-store.js';
import { silentLogger } from '../../shared/log.js';
import type { HandleOptions, Outcome, PipelineDeps } from '../../shared/pipeline/index.js';
import { handleObject } from '../../shared/pipeline/index.js';
import { createFsObjectStore } from '../../shared/storage/fs-object-store.js';
import { testFirestore } from './firestore.js';

/** A drop folder, a results folder, Firestore on the emulator and the real engines. */
export interface PipelineHarness {
  deps: PipelineDeps;
  firestore: Firestore;
  lineage: LineageStore;
  dropDir: string;
  resultsDir: string;
  /** Writes a file into the drop folder (JSON values are serialized). */
  drop(name: string, content: Buffer | string | object): Promise<void>;
  /** Copies a file into the drop folder. */
  dropFile(name: string, from: string): Promise<void>;
  /** Delivers the arrival of a drop-folder object, at its current generation. */
  arrive(name: string, options?: HandleOptions): Promise<Outcome>;
  /** Reads a results file. */
  result(name: string): Promise<Buffer>;
  /** Reads and parses a results JSON file. */
  resultJson<T = Record<string, unknown>>(name: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * @param options.env extra environment for the config (defaults: local engine)
 * @param options.engines engines to add or replace (fakes)
 */
export async function createPipelineHarness(
  options: { env?: Record<string, string>; engines?: Engine[]; now?: () => number } = {},
): Promise<PipelineHarness> {
  const root = await mkdtemp(join(tmpdir(), 'darkroom-'));
  const dropDir = join(root, 'drop');
  const resultsDir = join(root, 'results');
  await mkdir(dropDir, { recursive: true });
  await mkdir(resultsDir, { recursive: true });
  const env = { DARKROOM_ENGINE: 'local', ...options.env };
  const config = loadConfig(env);
  const firestore = testFirestore();
  const lineage = createFirestoreLineageStore({ firestore });
  const store = createFsObjectStore({ buckets: { drop: dropDir, results: resultsDir } });
  const deps: PipelineDeps = {
    config,
    store,
    lineage,
    batches: createFirestoreBatchStore({ firestore }),
    engines: createEngineRegistry({ env, geminiModel: config.geminiModel, overrides: options.engines }),
    log: silentLogger,
    owner: `test-${randomUUID().slice(0, 8)}`,
    results: { bucket: 'results', prefix: config.results.prefix },
    ...(options.now ? { now: options.now } : {}),
  };
  const write = async (name: string, data: Buffer | string) => {
    const path = join(dropDir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  };
  return {
    deps,
    firestore,
    lineage,
    dropDir,
    resultsDir,
    drop: (name, content) =>
      write(
        name,
        Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content),
      ),
    dropFile: async (name, from) => write(name, await readFile(from)),
    async arrive(name, handleOptions) {
      const info = await store.stat({ bucket: 'drop', name });
      if (!info) throw new Error(`no ${name} in the drop folder`);
      return handleObject(deps, { bucket: 'drop', name, generation: info.generation }, handleOptions);
    },
    result: (name) => readFile(join(resultsDir, name)),
    resultJson: async (name) => JSON.parse(await readFile(join(resultsDir, name), 'utf8')),
    async close() {
      await firestore.terminate();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Narrows an outcome to a kind, failing the test with the outcome when it is another. */
export function expectOutcome<K extends Outcome['kind']>(
  outcome: Outcome,
  kind: K,
): Extract<Outcome, { kind: K }> {
  if (outcome.kind !== kind) throw new Error(`expected outcome "${kind}" but got ${JSON.stringify(outcome)}`);
  return outcome as Extract<Outcome, { kind: K }>;
}
