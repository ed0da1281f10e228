import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { BatchClient } from '../../../shared/batch/batch-client.js';
import type { BatchDeps } from '../../../shared/batch/submit.js';
import { createGeminiBatchClient } from '../../../shared/engines/gemini/batch-client.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/** A 40–80 word prompt, so the lint stays quiet. */
export const BATCH_PROMPT =
  'Place the cat on a sunlit wooden windowsill with soft morning light from the left. Keep the fur, the eyes and the pose of the cat exactly as they are. Style: warm editorial photography with true colours and gentle shadows, no added text.';

/** Past the test server's pending and running time of a normal batch. */
export const BATCH_DONE_MS = 200_000;

/** A describe block's Gemini test server on a controllable clock, and the harnesses it opened. */
export interface BatchWorld {
  clock: { t: number };
  /** The server (started before the block's first test, reset before each). */
  readonly server: GeminiServer;
  /** A batch harness on this server and clock, closed after the test. */
  open(options?: Parameters<typeof createBatchHarness>[2]): Promise<BatchHarness>;
}

/**
 * Registers the hooks of a batch-lane describe block: one Gemini test server for the block on a
 * controllable clock, reset before each test; every harness a test opens is closed after it.
 */
export function useBatchWorld(): BatchWorld {
  const clock = { t: 1_800_000_000_000 };
  let server: GeminiServer | undefined;
  let opened: BatchHarness[] = [];
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => clock.t });
  });
  afterAll(() => server?.close());
  beforeEach(() => server?.reset());
  afterEach(async () => {
    const open = opened;
    opened = [];
    await Promise.all(open.map((b) => b.h.close()));
  });
  const world: BatchWorld = {
    clock,
    get server() {
      if (!server) throw new Error('the Gemini test server starts in beforeAll');
      return server;
    },
    async open(options) {
      const b = await createBatchHarness(world.server, clock, options);
      opened.push(b);
      return b;
    },
  };
  return world;
}

/** A pipeline harness whose Gemini engine and batch client talk to `server`, on one clock. */
export interface BatchHarness {
  h: PipelineHarness;
  deps: BatchDeps;
  /** The unwrapped batch client (a rerun of a killed collector uses it). */
  real: BatchClient;
  clock: { t: number };
  /** Drops `name.png` with a sidecar and returns the waiting job's id. */
  dropWaiting(name: string, request?: Record<string, unknown>): Promise<string>;
}

/**
 * @param options.env extra configuration; `client` wraps the real batch client (to kill it mid-way)
 */
export async function createBatchHarness(
  server: GeminiServer,
  clock: { t: number },
  options: { env?: Record<string, string>; client?: (real: BatchClient) => BatchClient } = {},
): Promise<BatchHarness> {
  const env = {
    DARKROOM_ENGINE: 'gemini',
    GEMINI_API_KEY: 'test-key',
    GOOGLE_GEMINI_BASE_URL: server.url,
    ...options.env,
  };
  const h = await createPipelineHarness({ env, now: () => clock.t });
  const real = createGeminiBatchClient({ env });
  const deps = {
    ...h.deps,
    batches: h.deps.batches as BatchDeps['batches'],
    batchClient: options.client ? options.client(real) : real,
  };
  return {
    h,
    deps,
    real,
    clock,
    async dropWaiting(name, request = { prompt: BATCH_PROMPT }) {
      await h.dropFile(`${name}.png`, fixture('chelsea.png'));
      await h.drop(`${name}.json`, { lane: 'batch', ...request });
      return expectOutcome(await h.arrive(`${name}.png`), 'waiting-batch').jobId;
    },
  };
}
