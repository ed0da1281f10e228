import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECIPE_FILE } from '../../shared/pipeline/route.js';
import { runFolder, summarize } from '../../shared/runner/run-folder.js';
import { makePhotoSet } from '../lib/images.js';
import { overFiles, plainSharp } from '../lib/plain-sharp.js';
import type { BenchRow } from '../lib/report.js';
import { interleave, medians, type Sample } from '../lib/stats.js';
import type { BenchWorld } from '../lib/world.js';

/** The requested outputs of issue 16's measurement: one WebP, no sheet, no intermediates. */
export const USER_FLOOR_OUTPUT = {
  formats: ['webp'],
  compareSheet: false,
  keepIntermediates: false,
} as const;

/** The two recipes measured: a one-stage local edit, and an output-only job. */
export const USER_FLOOR_RECIPES = {
  warm: { prompt: 'Make it warmer', output: USER_FLOOR_OUTPUT },
  'output-only': { output: USER_FLOOR_OUTPUT },
} as const;

/** Options of {@link measureUserFloor}. */
export interface UserFloorOptions {
  world: BenchWorld;
  /** Images per folder (48 in the issue). */
  images: number;
  /** Interleaved rounds (each round runs every side once, in a rotating order). */
  rounds: number;
  /** Jobs (and script workers) at once: 2, as `darkroom run --concurrency 2`. */
  concurrency: number;
}

type Kind = keyof typeof USER_FLOOR_RECIPES;

/**
 * 8. Issue 16's measurement: folders of 1.2 MP JPEGs under a `_recipe.json`, through
 * `runFolder` (the code path of `darkroom run`, the local engine, Firestore lineage) at
 * `concurrency`, against a plain sharp script doing the same user-visible work on the same
 * files with the same concurrency. Four sides, interleaved round by round.
 */
export async function measureUserFloor(
  options: UserFloorOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  const { world, images, rounds, concurrency } = options;
  const kinds = Object.keys(USER_FLOOR_RECIPES) as Kind[];
  const folders = new Map<string, string[]>();
  // One folder per side and round (a finished job is not run twice); round 0 warms up.
  for (const kind of kinds) {
    for (let r = 0; r <= rounds; r++) {
      const prefix = `user-floor-${kind}-${r}/`;
      const paths = await makePhotoSet(join(world.dropDir, prefix), images, { width: 1264, height: 948 });
      await writeFile(join(world.dropDir, prefix, RECIPE_FILE), JSON.stringify(USER_FLOOR_RECIPES[kind]));
      folders.set(prefix, paths);
    }
  }
  const files = folders.get(`user-floor-warm-0/`) as string[];
  const pipeline = (kind: Kind) => async (round: number) => {
    const prefix = `user-floor-${kind}-${round}/`;
    const counts = summarize(await runFolder(world.env.deps, { bucket: world.bucket, prefix, concurrency }));
    if (counts.succeeded !== images) throw new Error(`user floor ${prefix}: ${JSON.stringify(counts)}`);
  };
  const script = (warm: boolean) => () =>
    overFiles(files, concurrency, async (file) => plainSharp(await readFile(file), { warm, quality: 85 }));
  await pipeline('warm')(0);
  await pipeline('output-only')(0);
  await script(true)();
  const [warmJobs, warmScript, plainJobs, plainScript] = (
    await interleave(rounds, [
      (r) => pipeline('warm')(r + 1),
      script(true),
      (r) => pipeline('output-only')(r + 1),
      script(false),
    ])
  ).map(medians) as [Sample, Sample, Sample, Sample];
  const rate = (s: Sample) => images / (s.wallMs / 1000);
  const row = (metric: string, jobs: Sample, floor: Sample, target: number, what: string): BenchRow => ({
    measure: '8 user floor',
    metric: `${images} × 1.2 MP, ${metric}, concurrency ${concurrency} (median of ${rounds})`,
    value: rate(jobs),
    unit: 'images/s',
    baseline: { label: `plain sharp: ${what}`, value: rate(floor), unit: 'images/s' },
    ratio: rate(jobs) / rate(floor),
    target: `≥ ${target}×`,
    pass: rate(jobs) / rate(floor) >= target,
    note: `CPU per image: pipeline ${Math.round(jobs.cpuMs / images)} ms, script ${Math.round(floor.cpuMs / images)} ms`,
  });
  // On a shared machine the wall clock swings with other people's load; CPU time does much less.
  const cpuRow = (metric: string, jobs: Sample, floor: Sample, target: number): BenchRow => ({
    measure: '8 user floor',
    metric: `${images} × 1.2 MP, ${metric}, CPU per image (median of ${rounds})`,
    value: jobs.cpuMs / images,
    unit: 'ms',
    baseline: { label: 'plain sharp: same work', value: floor.cpuMs / images, unit: 'ms' },
    ratio: floor.cpuMs / jobs.cpuMs,
    target: `≥ ${target}× (as throughput per core)`,
    pass: floor.cpuMs / jobs.cpuMs >= target,
    note: 'process CPU, all threads; the ratio is the script CPU over the pipeline CPU (Firestore runs in another process)',
  });
  return {
    rows: [
      row('"Make it warmer" (local engine) → WebP', warmJobs, warmScript, 0.5, 'rotate, warm gain, WebP 85'),
      cpuRow('"Make it warmer"', warmJobs, warmScript, 0.5),
      row('output-only recipe → WebP', plainJobs, plainScript, 0.7, 'rotate, WebP 85'),
      cpuRow('output-only', plainJobs, plainScript, 0.7),
    ],
    details: { warmJobs, warmScript, plainJobs, plainScript },
  };
}
