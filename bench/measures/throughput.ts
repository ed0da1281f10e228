import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFolder, summarize } from '../../shared/runner/run-folder.js';
import { runFloor } from '../lib/floor.js';
import { makePhotoSet } from '../lib/images.js';
import type { BenchRow } from '../lib/report.js';
import { timed } from '../lib/stats.js';
import type { BenchWorld } from '../lib/world.js';
import { BENCH_OUTPUT, FLOOR_OUTPUTS, instantSidecar } from './overhead.js';

/** Options of {@link measureThroughput}. */
export interface ThroughputOptions {
  world: BenchWorld;
  jobs: number;
  /** Floor runs (a rate needs fewer samples than the 200 jobs; half before, half after). */
  floorJobs: number;
  /** Jobs (and floor runs) at once; the machine's cores. */
  concurrency: number;
}

/**
 * 2. `jobs` 1 MP images, each with its sidecar, through the local runner (`runFolder`, the
 * instant engine) at `concurrency`, against the floor's rate on the same image at the same
 * concurrency. The floor runs half before and half after the pipeline, so drift hits both.
 */
export async function measureThroughput(
  options: ThroughputOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  const { world, jobs, concurrency, floorJobs } = options;
  const folder = join(world.dropDir, 'throughput');
  const photos = await makePhotoSet(folder, jobs, { width: 1152, height: 864, from: 'chelsea' });
  await Promise.all(photos.map((p) => writeFile(p.replace(/\.jpg$/, '.json'), instantSidecar())));
  const input = await readFile(photos[0] as string);
  const floorRun = async (count: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) {
        await runFloor(input, { outputs: FLOOR_OUTPUTS, quality: BENCH_OUTPUT.quality, comparePanels: 2 });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await floorRun(concurrency);
  const half = Math.floor(floorJobs / 2);
  const before = await timed(() => floorRun(half));
  const pipeline = await timed(() =>
    runFolder(world.env.deps, { bucket: world.bucket, prefix: 'throughput/', concurrency }),
  );
  const after = await timed(() => floorRun(floorJobs - half));
  const counts = summarize(pipeline.value);
  if (counts.succeeded !== jobs) throw new Error(`throughput: ${JSON.stringify(counts)}`);
  const rate = jobs / (pipeline.wallMs / 1000);
  const floorRate = floorJobs / ((before.wallMs + after.wallMs) / 1000);
  return {
    rows: [
      {
        measure: '2 throughput',
        metric: `${jobs} × 1 MP jobs, runFolder concurrency ${concurrency}`,
        value: rate,
        unit: 'jobs/s',
        baseline: { label: 'sharp: same files', value: floorRate, unit: 'jobs/s' },
        ratio: rate / floorRate,
        target: '≥ 0.7×',
        pass: rate / floorRate >= 0.7,
        note: `CPU per job: pipeline ${Math.round(pipeline.cpuMs / jobs)} ms, floor ${Math.round((before.cpuMs + after.cpuMs) / floorJobs)} ms (${floorJobs} floor runs)`,
      },
    ],
    details: {
      pipeline: { wallMs: pipeline.wallMs, cpuMs: pipeline.cpuMs, counts },
      floor: { wallMs: before.wallMs + after.wallMs, cpuMs: before.cpuMs + after.cpuMs },
    },
  };
}
