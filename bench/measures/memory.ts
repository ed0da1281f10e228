import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePhoto } from '../lib/images.js';
import type { BenchRow } from '../lib/report.js';
import { median } from '../lib/stats.js';

const CHILD = fileURLToPath(new URL('./memory-job.ts', import.meta.url));

interface ChildResult {
  outcome: string;
  beforeRssMiB: number;
  peakMiB: number;
  maxRssMiB: number;
}

/** Options of {@link measureMemory}. */
export interface MemoryOptions {
  workDir: string;
  firestoreHost: string;
  runs: number;
}

/**
 * 3. Peak RSS of a fresh process that runs one job on a 24 MP (6000×4000) JPEG with three
 * stages (instant engine): VmHWM from /proc/self/status, which includes the modules, the
 * Firestore client and libvips' buffers.
 */
export async function measureMemory(options: MemoryOptions): Promise<{ rows: BenchRow[]; details: unknown }> {
  const photo = await makePhoto(join(options.workDir, 'memory-24mp.jpg'), { width: 6000, height: 4000 });
  const results: ChildResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const dir = await mkdtemp(join(options.workDir, 'memory-'));
    results.push(await _runChild([photo, dir, options.firestoreHost, '3']));
  }
  const peak = Math.max(...results.map((r) => r.peakMiB));
  return {
    rows: [
      {
        measure: '3 memory',
        metric: `peak RSS, 24 MP JPEG, 3 stages (max of ${options.runs})`,
        value: peak,
        unit: 'MiB',
        baseline: {
          label: 'same process before the job',
          value: median(results.map((r) => r.beforeRssMiB)),
          unit: 'MiB',
        },
        target: '≤ 512 MiB',
        pass: peak <= 512,
      },
    ],
    details: { runs: results },
  };
}

function _runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult;
      if (code !== 0 || result.outcome !== 'succeeded') {
        reject(new Error(`memory job exited with ${code}: ${out}`));
      } else resolve(result);
    });
  });
}
