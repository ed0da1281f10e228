/**
 * Tasks mode end to end, on one time line: the Cloud Tasks test server (dispatching to the real
 * `runStage` function through the functions framework), `processUpload` behind the same
 * framework, the GCS and Gemini test servers, the Replicate test server, and the in-process
 * Firestore emulator. The queue's clock is scaled, and the Gemini quota counts on the same
 * clock, so minutes of quota take seconds.
 */
import sharp from 'sharp';
import { type FunctionServer, startFunctionServer } from '../../support/cloud-events.js';
import {
  type CloudTasksServer,
  type QueueSettings,
  scaledClock,
  startCloudTasksServer,
} from '../../support/cloud-tasks-server/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import { type ReplicateServer, startReplicateServer } from '../../support/replicate-server/index.js';
import { type FunctionHarness, startFunctionHarness } from '../function/harness.js';

/** The invoker account the tasks carry (`TASK_INVOKER_ACCOUNT`). */
export const INVOKER = 'darkroom-tasks@demo-darkroom.iam.gserviceaccount.com';
export const GEMINI_QUEUE = 'projects/demo-darkroom/locations/us-central1/queues/nano-banana-2';
export const REPLICATE_QUEUE = 'projects/demo-darkroom/locations/us-central1/queues/replicate';
export const DEFAULT_QUEUE = 'projects/demo-darkroom/locations/us-central1/queues/default';

/** What a production queue has (infra/tasks.tf): unlimited attempts, backoff 10 s … 300 s. */
export const QUEUE_RETRY: Partial<QueueSettings> = {
  maxAttempts: -1,
  maxRetryDurationS: 7 * 24 * 3600,
  minBackoffS: 10,
  maxBackoffS: 300,
  maxDoublings: 5,
};

/** Options of {@link startTasksHarness}. */
export interface TasksHarnessOptions {
  /** How much faster than real time the queues and the Gemini quota run. */
  scale: number;
  /** Settings of each queue, by name. */
  queues: Record<string, Partial<QueueSettings>>;
  duplicates?: { rate: number; seed: number } | undefined;
  env?: Record<string, string>;
}

/** The running world. */
export interface TasksHarness {
  fn: FunctionHarness;
  tasks: CloudTasksServer;
  gemini: GeminiServer;
  replicate: ReplicateServer;
  /** The `runStage` URL (`RUN_STAGE_URL`). */
  workerUrl: string;
  close(): Promise<void>;
}

/** Starts everything and points the function's environment at it. */
export async function startTasksHarness(options: TasksHarnessOptions): Promise<TasksHarness> {
  const clock = scaledClock(options.scale);
  const tasks = await startCloudTasksServer({ clock, duplicates: options.duplicates });
  for (const [name, settings] of Object.entries(options.queues)) tasks.createQueue(name, settings);
  const gemini = await startGeminiServer({ now: clock.now });
  const replicate = await startReplicateServer({ timeScale: 0.01 });
  const fn = await startFunctionHarness({
    DISPATCH: 'tasks',
    TASK_QUEUES: `gemini-3.1-flash-image=${GEMINI_QUEUE},replicate=${REPLICATE_QUEUE},default=${DEFAULT_QUEUE}`,
    CLOUD_TASKS_EMULATOR_HOST: tasks.host,
    TASK_INVOKER_ACCOUNT: INVOKER,
    GOOGLE_GEMINI_BASE_URL: gemini.url,
    REPLICATE_API_TOKEN: replicate.token,
    REPLICATE_BASE_URL: replicate.url,
    ...options.env,
  });
  const worker: FunctionServer = await startFunctionServer('runStage');
  // Read when the runtime is built, at the first event: after the worker has its port.
  const previous = process.env.RUN_STAGE_URL;
  process.env.RUN_STAGE_URL = worker.url;
  return {
    fn,
    tasks,
    gemini,
    replicate,
    workerUrl: worker.url,
    async close() {
      await tasks.close();
      await worker.close();
      await fn.close();
      await Promise.all([gemini.close(), replicate.close()]);
      if (previous === undefined) delete process.env.RUN_STAGE_URL;
      else process.env.RUN_STAGE_URL = previous;
    },
  };
}

/** A small PNG of one flat colour, different for each `n` (so no two jobs share a stage-cache key). */
export function flatImage(n: number, side = 96): Promise<Buffer> {
  return sharp({
    create: { width: side, height: side, channels: 3, background: { r: n % 256, g: (n * 7) % 256, b: 90 } },
  })
    .png()
    .toBuffer();
}

/** A one-stage Gemini edit, 40–80 words so the prompt lint stays quiet. */
export const GEMINI_EDIT = {
  version: 1,
  // One PNG and the manifest: the test is about dispatch, not encoding.
  output: { formats: ['png'], compareSheet: false, keepIntermediates: false },
  stages: [
    {
      name: 'studio',
      engine: 'gemini',
      prompt:
        'Replace the background of image 1 with a seamless light grey studio backdrop and soft even lighting. ' +
        'Keep the product, its colours, its edges and its proportions exactly as they are, and preserve all other details. ' +
        'Style: clean catalogue photography with a gentle contact shadow under the product and no added text.',
    },
  ],
};
