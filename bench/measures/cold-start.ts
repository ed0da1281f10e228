import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from '../lib/report.js';
import { median } from '../lib/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the bench compiles the function (git-ignored, like `dist/`, and inside node_modules' reach). */
const BUILD_DIR = fileURLToPath(new URL('../../node_modules/.cache/darkroom-bench/build/', import.meta.url));

/** Options of {@link measureColdStart}. */
export interface ColdStartOptions {
  runs: number;
}

/**
 * 4. Cold start: compiles the project as `npm run build` does (tsc, tsconfig.build.json), then
 * spawns `node` `runs` times to import the compiled `functions/index.js` (which registers
 * `processUpload` with the Functions Framework) and exit, against `node -e ""`, interleaved.
 * Also reports, for information, loading the cloud composition root that the function imports
 * lazily on its first event.
 */
export async function measureColdStart(
  options: ColdStartOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  await _build();
  const entry = pathToFileURL(`${BUILD_DIR}functions/index.js`).href;
  const runtime = pathToFileURL(`${BUILD_DIR}shared/cloud/create-cloud-runtime.js`).href;
  await _verifyRegistration(entry);
  const load = (url: string) => `await import(${JSON.stringify(url)}); process.exit(0);`;
  const samples = { fn: [] as number[], empty: [] as number[], runtime: [] as number[] };
  await _spawnTimed(['-e', '']);
  for (let i = 0; i < options.runs; i++) {
    samples.empty.push(await _spawnTimed(['-e', '']));
    samples.fn.push(await _spawnTimed(['--input-type=module', '-e', load(entry)]));
    samples.runtime.push(await _spawnTimed(['--input-type=module', '-e', load(runtime)]));
  }
  const fn = median(samples.fn);
  const empty = median(samples.empty);
  const rt = median(samples.runtime);
  return {
    rows: [
      {
        measure: '4 cold start',
        metric: `node + import functions/index.js, processUpload registered (median of ${options.runs})`,
        value: fn,
        unit: 'ms',
        baseline: { label: 'node -e ""', value: empty, unit: 'ms' },
        ratio: fn / empty,
        note: 'compiled with tsc as npm run build does; SDKs load on the first event',
      },
      {
        measure: '4 cold start',
        metric: 'node + import the cloud composition root (first event, lazily)',
        value: rt,
        unit: 'ms',
        baseline: { label: 'node -e ""', value: empty, unit: 'ms' },
        ratio: rt / empty,
        note: 'shared/cloud/create-cloud-runtime.js: GCS, Firestore, engines, pipeline',
      },
    ],
    details: { samplesMs: samples },
  };
}

async function _build(): Promise<void> {
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  // Type errors elsewhere in the tree do not stop tsc from emitting; a missing file would.
  await _run([tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--sourceMap', 'false']).catch(
    () => undefined,
  );
  await access(`${BUILD_DIR}functions/index.js`);
}

async function _verifyRegistration(entry: string): Promise<void> {
  const script = [
    `await import(${JSON.stringify(entry)});`,
    `const { getFunction } = await import('@google-cloud/functions-framework/testing');`,
    `process.exit(typeof getFunction('processUpload') === 'function' ? 0 : 3);`,
  ].join('\n');
  await _run(['--input-type=module', '-e', script]);
}

async function _spawnTimed(args: string[]): Promise<number> {
  const t0 = performance.now();
  await _run(args);
  return performance.now() - t0;
}

function _run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}: ${err}`)),
    );
  });
}
