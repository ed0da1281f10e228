/**
 * `npm run bench`: every measurement of issues 9 and 16, baselines in the same process and run,
 * a table of medians and ratios on stdout, the same as JSON in bench/results.json.
 * `npm run bench -- --only overhead,memory` runs a subset; `--quick` fewer rounds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Engine } from '../shared/engines/engine.js';
import { configureSharp } from '../shared/imaging/sharp-setup.js';
import { startFirestoreProcess } from './lib/firestore-process.js';
import { createInstantEngine } from './lib/instant-engine.js';
import { machineInfo } from './lib/machine.js';
import { type BenchReport, type BenchRow, formatTable, writeReport } from './lib/report.js';
import { openWorld } from './lib/world.js';
import { measureCatalogue } from './measures/catalogue.js';
import { measureColdStart } from './measures/cold-start.js';
import { measureMemory } from './measures/memory.js';
import { measureOverhead } from './measures/overhead.js';
import { measureQuota } from './measures/quota.js';
import { measureRequestSize } from './measures/request-size.js';
import { measureThroughput } from './measures/throughput.js';
import { measureUserFloor } from './measures/user-floor.js';

const MEASURES = [
  'overhead',
  'throughput',
  'memory',
  'request-size',
  'quota',
  'cold-start',
  'catalogue',
  'user-floor',
] as const;
type Measure = (typeof MEASURES)[number];

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
  });
  const only = new Set((values.only?.split(',') ?? MEASURES) as Measure[]);
  const quick = values.quick ?? false;
  const started = Date.now();
  configureSharp();
  const workDir = await mkdtemp(join(tmpdir(), 'darkroom-bench-'));
  const firestore = await startFirestoreProcess();
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  const record = (name: string, result: { rows: BenchRow[]; details: unknown }) => {
    rows.push(...result.rows);
    details[name] = result.details;
    for (const row of result.rows)
      console.error(`  ${row.measure}: ${row.metric} = ${row.value} ${row.unit}`);
  };
  try {
    const world = await openWorld({
      dir: join(workDir, 'world'),
      firestoreHost: firestore.host,
      engines: [createInstantEngine()],
    });
    try {
      if (only.has('overhead')) {
        console.error('1 overhead …');
        record('overhead', await measureOverhead({ world, workDir, rounds: quick ? 3 : 5 }));
      }
      if (only.has('throughput')) {
        console.error('2 throughput …');
        record(
          'throughput',
          await measureThroughput({
            world,
            jobs: quick ? 40 : 200,
            floorJobs: quick ? 20 : 60,
            concurrency: 2,
          }),
        );
      }
      if (only.has('user-floor')) {
        console.error('8 user floor …');
        record(
          'user-floor',
          await measureUserFloor({ world, images: 48, rounds: quick ? 1 : 3, concurrency: 2 }),
        );
      }
    } finally {
      await world.env.close();
    }
    if (only.has('memory')) {
      console.error('3 memory …');
      record('memory', await measureMemory({ workDir, firestoreHost: firestore.host, runs: quick ? 1 : 2 }));
    }
    if (only.has('request-size')) {
      console.error('5 request size …');
      record('request-size', await measureRequestSize({ workDir, runs: quick ? 1 : 3 }));
    }
    if (only.has('quota')) {
      console.error('6 quota …');
      let n = 0;
      const open = (engines: Engine[]) =>
        openWorld({ dir: join(workDir, `quota-${++n}`), firestoreHost: firestore.host, engines });
      record(
        'quota',
        await measureQuota({
          openWorld: open,
          workDir,
          jobs: quick ? 40 : 100,
          perMinute: quick ? 12 : 30,
          dilation: 6,
          concurrency: 8,
        }),
      );
    }
    if (only.has('cold-start')) {
      console.error('4 cold start …');
      record('cold-start', await measureColdStart({ runs: quick ? 5 : 10 }));
    }
    if (only.has('catalogue')) {
      console.error('7 catalogue …');
      record(
        'catalogue',
        await measureCatalogue({
          firestoreHost: firestore.host,
          jobs: quick ? 30 : 100,
          perMinute: 20,
          scale: 4,
        }),
      );
    }
  } finally {
    await firestore.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: await machineInfo(),
    rows,
    details,
  };
  await writeReport(RESULTS_FILE, report);
  console.log(formatTable(rows));
  console.log(`\nmachine: ${JSON.stringify(report.machine)}`);
  console.log(`took ${report.durationS} s; JSON in ${RESULTS_FILE}`);
}

await main();
