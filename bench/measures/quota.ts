import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../shared/engines/engine.js';
import { createGeminiEngine } from '../../shared/engines/gemini/index.js';
import { runFolder, summarize } from '../../shared/runner/run-folder.js';
import { startGeminiServer } from '../../test/support/gemini-server.js';
import { createDilatedClock, type DilatedClock } from '../lib/dilated-clock.js';
import { makePhoto, makePhotoSet } from '../lib/images.js';
import type { BenchRow } from '../lib/report.js';
import { limitEngine } from '../lib/window-limiter.js';
import type { BenchWorld } from '../lib/world.js';

/** Options of {@link measureQuota}. */
export interface QuotaOptions {
  /** A world whose engines include nothing named `gemini` yet; the measurement adds its own. */
  openWorld: (engines: Engine[]) => Promise<BenchWorld>;
  workDir: string;
  jobs: number;
  /** Requests per (dilated) minute. */
  perMinute: number;
  /** How much faster than real time the quota's minute runs. */
  dilation: number;
  concurrency: number;
}

const WINDOW_MS = 60_000;

/** The sidecar of every job: one fusion stage with a shared scene as image 2. */
function fusionSidecar(): string {
  const request = {
    version: 1,
    engine: 'gemini',
    labels: { sku: 'bench' },
    stages: [
      {
        name: 'placement',
        prompt:
          'Place the product from image 1 on the table in the scene from image 2, matching the natural lighting direction',
        references: ['_scenes/scene.jpg'],
        imageSize: '512',
      },
    ],
    output: { formats: ['jpeg'], compareSheet: false },
  };
  return `${JSON.stringify(request)}\n`;
}

/**
 * 6. `jobs` fusion jobs (a product and a shared scene each) through the local runner against
 * the Gemini test server with a per-minute quota that answers 429 (RetryInfo + Retry-After)
 * beyond it. The quota's minute is dilated: the server, the engine's retry clock and the
 * pipeline's clock all run `dilation`× faster than real time. Runs the engine as it is, then
 * again behind a bench-only rolling-window limiter, to show what one would achieve.
 */
export async function measureQuota(options: QuotaOptions): Promise<{ rows: BenchRow[]; details: unknown }> {
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  for (const variant of ['engine as is', 'with client-side limiter'] as const) {
    const result = await _runVariant(options, variant === 'with client-side limiter');
    details[variant] = result;
    const ok = result.succeeded === options.jobs;
    rows.push({
      measure: '6 quota',
      metric: `${options.jobs} fusion jobs, quota ${options.perMinute}/min, ${variant}`,
      value: result.ratePerMinute,
      unit: 'req/min',
      baseline: { label: 'quota', value: options.perMinute, unit: 'req/min' },
      ratio: result.ratePerMinute / options.perMinute,
      target: 'all succeed, ≥ 0.9×',
      pass: ok && result.ratePerMinute >= 0.9 * options.perMinute,
      note: `${result.succeeded}/${options.jobs} succeeded, ${result.quota429} × 429, ${result.calls} calls, ${result.lostS} s lost against the ideal span of ${result.idealSpanS} s (dilated seconds; the quota minute runs ${options.dilation}× fast: ${WINDOW_MS / options.dilation / 1000} s real)`,
    });
  }
  return { rows, details };
}

async function _runVariant(options: QuotaOptions, limited: boolean) {
  const clock: DilatedClock = createDilatedClock(options.dilation);
  const server = await startGeminiServer({ now: clock.now });
  server.setQuota({ perMinute: options.perMinute });
  const successes: number[] = [];
  try {
    const gemini = createGeminiEngine({
      env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url },
      now: clock.now,
      sleep: clock.sleep,
    });
    const engine = limited
      ? limitEngine(gemini, {
          limit: options.perMinute,
          windowMs: WINDOW_MS,
          now: clock.now,
          sleep: (ms) => clock.sleep(ms),
        })
      : gemini;
    const recorded: Engine = {
      name: engine.name,
      generative: engine.generative,
      plan: (stage) => engine.plan(stage),
      async edit(request) {
        const result = await engine.edit(request);
        successes.push(clock.now());
        return result;
      },
    };
    const world = await options.openWorld([recorded]);
    try {
      const folder = join(world.dropDir, 'quota');
      await mkdir(join(folder, '_scenes'), { recursive: true });
      const scene = await makePhoto(join(options.workDir, 'scene.jpg'), {
        width: 640,
        height: 480,
        from: 'brick',
      });
      await copyFile(scene, join(folder, '_scenes', 'scene.jpg'));
      const photos = await makePhotoSet(folder, options.jobs, { width: 640, height: 480, name: 'product' });
      await Promise.all(photos.map((p) => writeFile(p.replace(/\.jpg$/, '.json'), fusionSidecar())));
      const deps = { ...world.env.deps, now: clock.now };
      const entries = await runFolder(deps, {
        bucket: world.bucket,
        prefix: 'quota/',
        concurrency: options.concurrency,
      });
      const counts = summarize(entries);
      return {
        ...counts,
        ..._rate(successes, options),
        calls: server.calls.length,
        quota429: _count429(server),
      };
    } finally {
      await world.env.close();
    }
  } finally {
    await server.close();
  }
}

/**
 * The achieved rate: with a rolling window, N calls need at least floor((N−1)/Q) windows
 * between the first and the last, so the rate is Q × that ideal span ÷ the actual span.
 */
function _rate(successes: number[], options: QuotaOptions) {
  const sorted = [...successes].sort((a, b) => a - b);
  const n = sorted.length;
  const span = n > 1 ? (sorted[n - 1] as number) - (sorted[0] as number) : 0;
  const ideal = Math.floor((n - 1) / options.perMinute) * WINDOW_MS;
  return {
    successfulCalls: n,
    spanS: Math.round(span / 100) / 10,
    idealSpanS: ideal / 1000,
    ratePerMinute: span > 0 ? (options.perMinute * ideal) / span : 0,
    lostS: Math.round((span - ideal) / 100) / 10,
  };
}

function _count429(server: Awaited<ReturnType<typeof startGeminiServer>>): number {
  return server.calls.filter((c) => c.status === 429).length;
}
