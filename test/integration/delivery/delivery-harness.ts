/**
 * The world of the delivery tests: the pipeline over a drop and a results folder, Firestore on
 * the emulator, and the real `gemini` engine talking to the Gemini test server, which counts
 * the engine calls. The clock of the pipeline (`deps.now`) can be moved forward, so that leases
 * expire without waiting. The stage cache is off: only claims, leases and resume may keep a
 * stage from running twice here.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { createGeminiEngine } from '../../../shared/engines/gemini/index.js';
import { type HandleOptions, handleObject, type Outcome } from '../../../shared/pipeline/index.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import type { WorkerJob } from '../../support/worker-process.js';

/** Two stages whose prompts tell the Gemini test server's calls apart. */
export const TWO_STAGES = {
  version: 1,
  engine: 'gemini',
  stages: [
    {
      name: 'light',
      prompt: 'Warm the light to a late-afternoon glow; keep the cat unchanged.',
      imageSize: '512',
    },
    { name: 'finish', prompt: 'Add a gentle vignette around the edges of the frame.', imageSize: '512' },
  ],
  output: { formats: ['jpeg'], compareSheet: false },
};

/** A delivery test world. */
export interface DeliveryWorld {
  h: PipelineHarness;
  gemini: GeminiServer;
  /** The configuration environment (also what worker processes get). */
  env: Record<string, string>;
  /** Moves the pipeline's clock forward (leases, deadlines). */
  advance(ms: number): void;
  /** Engine calls received by the test server, per stage name. */
  calls(): { light: number; finish: number };
  /** Drops the photo and the two-stage sidecar in `folder`. */
  dropJob(folder: string, request?: object): Promise<void>;
  /** Every file under the results folder, relative, sorted. */
  results(prefix?: string): Promise<string[]>;
  /**
   * Delivers the arrival of `name` as another process would: its own owner id and its own
   * clock, `clockOffsetMs` ahead of the real one (so it sees leases expire).
   */
  arriveAs(
    who: { owner: string; clockOffsetMs: number },
    name: string,
    options?: HandleOptions,
  ): Promise<Outcome>;
  /** A worker-process job for the arrival of `name`. */
  workerJob(name: string, over?: Partial<WorkerJob>): Promise<WorkerJob>;
  close(): Promise<void>;
}

/**
 * @param env extra configuration (e.g. `LEASE_SECONDS`, `MAX_ATTEMPTS`)
 * @param geminiAttempts attempts per edit inside one invocation (default 1: a fault reaches the pipeline)
 */
export async function createDeliveryWorld(
  env: Record<string, string> = {},
  geminiAttempts = 1,
): Promise<DeliveryWorld> {
  const gemini = await startGeminiServer();
  const fullEnv = {
    DARKROOM_ENGINE: 'gemini',
    GEMINI_API_KEY: 'test',
    GOOGLE_GEMINI_BASE_URL: gemini.url,
    STAGE_CACHE: 'false',
    MIN_INPUT_SIDE: '64',
    ...env,
  };
  let offset = 0;
  const engine = createGeminiEngine({
    env: fullEnv,
    maxAttempts: geminiAttempts,
    sleep: async () => {},
  });
  const h = await createPipelineHarness({ env: fullEnv, engines: [engine], now: () => Date.now() + offset });
  const photo = await sharp(fixture('chelsea.png')).resize({ width: 320 }).jpeg({ quality: 80 }).toBuffer();
  const count = (word: string) => gemini.calls.filter((c) => c.prompt?.includes(word)).length;
  return {
    h,
    gemini,
    env: fullEnv,
    advance(ms) {
      offset += ms;
    },
    calls: () => ({ light: count('Warm the light'), finish: count('vignette') }),
    async dropJob(folder, request = TWO_STAGES) {
      await h.drop(`${folder}/cat.jpg`, photo);
      await h.drop(`${folder}/cat.json`, request);
    },
    async results(prefix = '') {
      const names: string[] = [];
      await walk(h.resultsDir, h.resultsDir, names);
      return names.filter((n) => n.startsWith(prefix) && !n.startsWith('.darkroom/')).sort();
    },
    async arriveAs(who, name, options) {
      const info = await h.deps.store.stat({ bucket: 'drop', name });
      const deps = { ...h.deps, owner: who.owner, now: () => Date.now() + who.clockOffsetMs };
      return handleObject(deps, { bucket: 'drop', name, generation: info?.generation }, options);
    },
    async workerJob(name, over = {}) {
      const info = await h.deps.store.stat({ bucket: 'drop', name });
      return {
        // The client knows its project (set by the harness); the typings do not expose it.
        projectId: (h.firestore as unknown as { projectId: string }).projectId,
        dropDir: h.dropDir,
        resultsDir: h.resultsDir,
        env: fullEnv,
        name,
        generation: info?.generation,
        owner: `worker-${Math.random().toString(36).slice(2, 8)}`,
        ...over,
      };
    },
    async close() {
      await h.close();
      await gemini.close();
    },
  };
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else out.push(relative(root, full).split(sep).join('/'));
  }
}

/**
 * Waits until `check` holds, polling every 20 ms.
 * @throws naming `what` and the timeout when it does not hold in time
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
