import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handleObject } from '../../shared/pipeline/index.js';
import { type FloorOutput, runFloor } from '../lib/floor.js';
import { makePhoto } from '../lib/images.js';
import { INSTANT_ENGINE_NAME } from '../lib/instant-engine.js';
import type { BenchRow } from '../lib/report.js';
import { interleave, median, medians, type Sample } from '../lib/stats.js';
import type { BenchWorld } from '../lib/world.js';

/** The output section every overhead and throughput job asks for. */
export const BENCH_OUTPUT = {
  formats: ['webp', 'jpeg'],
  quality: 85,
  sizes: { thumb: { maxSize: 256 } },
} as const;

/** The same files, as the floor encodes them. */
export const FLOOR_OUTPUTS: FloorOutput[] = [
  { format: 'webp' },
  { format: 'jpeg' },
  { format: 'webp', maxSize: 256 },
  { format: 'jpeg', maxSize: 256 },
];

/** A one-stage sidecar for the instant engine. */
export function instantSidecar(stages = 1): string {
  const request = {
    version: 1,
    engine: INSTANT_ENGINE_NAME,
    stages: Array.from({ length: stages }, (_, i) => ({
      name: `step-${i + 1}`,
      prompt: 'Warm the light slightly, keep the subject unchanged',
    })),
    output: BENCH_OUTPUT,
  };
  return `${JSON.stringify(request)}\n`;
}

/** Options of {@link measureOverhead}. */
export interface OverheadOptions {
  world: BenchWorld;
  workDir: string;
  rounds: number;
}

/**
 * 1. A full job through the pipeline (route, pair, claim, load, stage, finalize: outputs,
 * manifest, compare sheet, Firestore lineage) with the instant engine on a 12 MP JPEG,
 * against sharp decoding the JPEG and encoding the same four files. Alternated, one warm-up each.
 */
export async function measureOverhead(
  options: OverheadOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  const { world, rounds } = options;
  const photo = await makePhoto(join(options.workDir, 'overhead-12mp.jpg'), { width: 4000, height: 3000 });
  const input = await readFile(photo);
  const prefixes: string[] = [];
  const folder = join(world.dropDir, 'overhead');
  await mkdir(folder, { recursive: true });
  const prepare = async (round: number) => {
    await copyFile(photo, join(folder, `r${round}.jpg`));
    await writeFile(join(folder, `r${round}.json`), instantSidecar());
  };
  const runJob = async (round: number) => {
    const outcome = await handleObject(world.env.deps, {
      bucket: world.bucket,
      name: `overhead/r${round}.jpg`,
    });
    if (outcome.kind !== 'succeeded') throw new Error(`overhead job ${round}: ${JSON.stringify(outcome)}`);
    prefixes.push(outcome.prefix);
  };
  const floorFiles = () =>
    runFloor(input, { outputs: FLOOR_OUTPUTS, quality: BENCH_OUTPUT.quality, comparePanels: 2 });
  const floorOutputs = () => runFloor(input, { outputs: FLOOR_OUTPUTS, quality: BENCH_OUTPUT.quality });

  for (let r = 0; r <= rounds; r++) await prepare(r);
  await runJob(0);
  await floorFiles();
  prefixes.length = 0;
  const [jobs, floors, narrow] = (
    await interleave(rounds, [(r) => runJob(r + 1), floorFiles, floorOutputs])
  ).map(medians) as [Sample, Sample, Sample];
  const timings = await Promise.all(
    prefixes.map(async (prefix) => {
      const path = join(world.resultsDir, prefix, 'manifest.json');
      return (JSON.parse(await readFile(path, 'utf8')) as { timings: Record<string, number> }).timings;
    }),
  );
  const breakdown = Object.fromEntries(
    ['loadMs', 'stagesMs', 'finalizeMs', 'totalMs'].map((k) => [k, median(timings.map((t) => t[k] ?? 0))]),
  );
  const metric = `12 MP job, instant engine (median of ${rounds})`;
  return {
    rows: [
      {
        measure: '1 overhead',
        metric: `${metric}, wall`,
        value: jobs.wallMs,
        unit: 'ms',
        baseline: { label: 'sharp: same files', value: floors.wallMs, unit: 'ms' },
        ratio: jobs.wallMs / floors.wallMs,
        target: '≤ 1.3×',
        pass: jobs.wallMs / floors.wallMs <= 1.3,
        note: 'floor: decode once, encode final.webp, final.jpg, thumb.webp, thumb.jpg and a 2-panel compare sheet',
      },
      {
        measure: '1 overhead',
        metric: `${metric}, CPU`,
        value: jobs.cpuMs,
        unit: 'ms',
        baseline: { label: 'sharp: same files', value: floors.cpuMs, unit: 'ms' },
        ratio: jobs.cpuMs / floors.cpuMs,
        target: '≤ 1.3×',
        pass: jobs.cpuMs / floors.cpuMs <= 1.3,
        note: 'process CPU (all threads); Firestore runs in another process and is not counted',
      },
      {
        measure: '1 overhead',
        metric: `${metric}, wall`,
        value: jobs.wallMs,
        unit: 'ms',
        baseline: { label: 'sharp: requested outputs only', value: narrow.wallMs, unit: 'ms' },
        ratio: jobs.wallMs / narrow.wallMs,
        note: 'stricter floor without the compare sheet, for information',
      },
    ],
    details: { job: jobs, floor: floors, floorOutputsOnly: narrow, breakdown, inputBytes: input.length },
  };
}
