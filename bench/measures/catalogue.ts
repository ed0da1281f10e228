import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createCloudRuntime } from '../../shared/cloud/create-cloud-runtime.js';
import { handleStorageEvent } from '../../shared/cloud/handle-storage-event.js';
import { handleStageTask } from '../../shared/cloud/run-stage-task.js';
import { readDispatchSettings } from '../../shared/dispatch/settings.js';
import type { Engine } from '../../shared/engines/engine.js';
import { createGeminiEngine } from '../../shared/engines/gemini/index.js';
import { storageObjectEventFactory } from '../../test/support/cloud-events.js';
import { scaledClock, startCloudTasksServer } from '../../test/support/cloud-tasks-server/index.js';
import { startGcsServer } from '../../test/support/gcs-server/index.js';
import { startGeminiServer } from '../../test/support/gemini-server.js';
import type { BenchRow } from '../lib/report.js';

/** Options of {@link measureCatalogue}. */
export interface CatalogueOptions {
  firestoreHost: string;
  jobs: number;
  /** The Gemini quota, requests per (scaled) minute. */
  perMinute: number;
  /** How much faster than real time queues, quota, retries and deadlines run. */
  scale: number;
}

const QUEUE = 'projects/demo-bench/locations/us-central1/queues/nano-banana-2';
const INVOKER = 'bench-tasks@demo-bench.iam.gserviceaccount.com';
const REQUEST = {
  version: 1,
  output: { formats: ['png'], compareSheet: false, keepIntermediates: false },
  stages: [
    {
      name: 'studio',
      engine: 'gemini',
      prompt:
        'Replace the background of image 1 with a seamless light grey studio backdrop and soft even lighting. ' +
        'Keep the product, its colours, its edges and its proportions exactly as they are, and preserve all other details.',
    },
  ],
};

/**
 * 7. A catalogue drop: `jobs` uploads delivered at once against a Gemini quota of `perMinute`.
 * In tasks mode the storage events queue one task each on a Cloud Tasks queue whose rate is the
 * quota (the Cloud Tasks test server dispatching to `runStage`); inline, every event calls the
 * model itself, with the engine's own retries, and a transient failure is redelivered with
 * Eventarc-like backoff (10 s doubling to 600 s) until the job succeeds or fails.
 * Achieved rate = successful model calls per minute between the first and the last ÷ quota.
 */
export async function measureCatalogue(
  options: CatalogueOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  const details: Record<string, unknown> = {};
  const rows: BenchRow[] = [];
  for (const mode of ['tasks', 'inline'] as const) {
    const result = await _run(options, mode);
    details[mode] = result;
    rows.push({
      measure: '7 catalogue',
      metric: `${options.jobs} uploads at once, quota ${options.perMinute}/min, DISPATCH=${mode}`,
      value: result.ratePerMinute,
      unit: 'req/min',
      baseline: { label: 'quota', value: options.perMinute, unit: 'req/min' },
      ratio: result.ratePerMinute / options.perMinute,
      target: mode === 'tasks' ? 'all succeed, ≤ 1.05 calls/stage, ≥ 0.9×' : 'comparison',
      pass:
        mode === 'tasks'
          ? result.succeeded === options.jobs &&
            result.callsPerStage <= 1.05 &&
            result.ratePerMinute >= 0.9 * options.perMinute
          : undefined,
      note: `${result.succeeded}/${options.jobs} succeeded, ${result.exhausted} ATTEMPTS_EXHAUSTED, ${result.callsPerStage} model calls per stage (${result.quota429} × 429), ${result.redeliveries} redeliveries, span ${result.spanS} s (scaled ${options.scale}×)`,
    });
  }
  return { rows, details };
}

async function _run(options: CatalogueOptions, mode: 'tasks' | 'inline') {
  const clock = scaledClock(options.scale);
  const gcs = await startGcsServer();
  const gemini = await startGeminiServer({ now: clock.now });
  gemini.setQuota({ perMinute: options.perMinute });
  const tasks = await startCloudTasksServer({ clock });
  tasks.createQueue(QUEUE, {
    // Just under the quota: at exactly the quota, dispatch jitter lets an occasional call into a full window.
    maxDispatchesPerSecond: (0.95 * options.perMinute) / 60,
    maxConcurrentDispatches: 20,
    maxAttempts: -1,
    minBackoffS: 10,
    maxBackoffS: 300,
    maxDoublings: 5,
  });
  const successes: number[] = [];
  const worker = createServer((req, res) => {
    _json(req).then(async (body) => {
      const reply = await handleStageTask({ headers: req.headers, body }, stage);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => worker.listen(0, '127.0.0.1', resolve));
  const workerUrl = `http://127.0.0.1:${(worker.address() as AddressInfo).port}/`;
  process.env.FIRESTORE_EMULATOR_HOST = options.firestoreHost;
  const env: NodeJS.ProcessEnv = {
    FIRESTORE_EMULATOR_HOST: options.firestoreHost,
    STORAGE_EMULATOR_HOST: gcs.host,
    GOOGLE_CLOUD_PROJECT: `demo-catalogue-${mode}-${Date.now()}`,
    INPUT_BUCKET: 'uploads',
    RESULTS_BUCKET: 'results',
    MIN_INPUT_SIDE: '64',
    LOG_LEVEL: 'error',
    MAX_ATTEMPTS: '5',
    ...(mode === 'tasks'
      ? {
          DISPATCH: 'tasks',
          TASK_QUEUES: `default=${QUEUE}`,
          RUN_STAGE_URL: workerUrl,
          TASK_INVOKER_ACCOUNT: INVOKER,
          CLOUD_TASKS_EMULATOR_HOST: tasks.host,
        }
      : {}),
  };
  const engine = createGeminiEngine({
    env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: gemini.url },
    maxAttempts: mode === 'tasks' ? 1 : 5,
    now: clock.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / options.scale)),
  });
  const counted: Engine = {
    name: engine.name,
    generative: engine.generative,
    plan: (s) => engine.plan(s),
    async edit(request) {
      const result = await engine.edit(request);
      successes.push(clock.now());
      return result;
    },
  };
  const runtime = createCloudRuntime({ env, engines: [counted], now: clock.now, write: () => undefined });
  const stage = {
    deps: runtime.deps,
    log: runtime.log,
    notify: runtime.notify,
    dispatch: readDispatchSettings(env),
  };
  let redeliveries = 0;
  try {
    gcs.putObject('uploads', 'drop/_recipe.json', JSON.stringify(REQUEST), {
      contentType: 'application/json',
    });
    const events = [];
    for (let i = 0; i < options.jobs; i++) {
      const data = await sharp({
        create: { width: 96, height: 96, channels: 3, background: { r: i % 256, g: (i * 7) % 256, b: 90 } },
      })
        .png()
        .toBuffer();
      const o = gcs.putObject('uploads', `drop/p${i}.png`, data, { contentType: 'image/png' });
      events.push(
        storageObjectEventFactory({
          bucket: 'uploads',
          name: o.name,
          generation: o.generation,
          size: String(data.length),
          contentType: 'image/png',
        }),
      );
    }
    const deliver = async (event: unknown) => {
      for (let backoffS = 10; ; backoffS = Math.min(600, backoffS * 2)) {
        try {
          return await handleStorageEvent(event, { runtime: async () => runtime });
        } catch {
          redeliveries += 1;
          await new Promise((r) => setTimeout(r, (backoffS * 1000) / options.scale));
        }
      }
    };
    await Promise.all(events.map(deliver));
    await tasks.drained();
    const jobs = await runtime.deps.lineage.listJobs({ limit: options.jobs * 2 });
    const sorted = [...successes].sort((a, b) => a - b);
    const span = (sorted.at(-1) ?? 0) - (sorted[0] ?? 0);
    return {
      succeeded: jobs.filter((j) => j.status === 'succeeded').length,
      exhausted: jobs.filter((j) => j.error?.code === 'ATTEMPTS_EXHAUSTED').length,
      calls: gemini.calls.length,
      quota429: gemini.calls.filter((c) => c.status === 429).length,
      callsPerStage: Math.round((gemini.calls.length / options.jobs) * 100) / 100,
      redeliveries,
      taskDispatches: tasks.dispatches.length,
      spanS: Math.round(span / 100) / 10,
      ratePerMinute: span > 0 ? ((sorted.length - 1) / span) * 60_000 : 0,
    };
  } finally {
    await runtime.close();
    await tasks.close();
    worker.closeAllConnections();
    worker.close();
    await Promise.all([gemini.close(), gcs.close()]);
  }
}

async function _json(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
