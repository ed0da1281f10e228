/**
 * Pipeline workers in child processes, for tests of delivery across processes and of crashes:
 * each child (`worker-main.ts`, run with tsx) shares the parent's drop and results folders and
 * its Firestore emulator project, and delivers one event.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from '../../shared/pipeline/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TSX = join(HERE, '..', '..', 'node_modules', '.bin', 'tsx');

/** What a worker is told to do. */
export interface WorkerJob {
  /** Firestore project on the emulator (FIRESTORE_EMULATOR_HOST is inherited). */
  projectId: string;
  dropDir: string;
  resultsDir: string;
  /** The configuration environment (engine, Gemini endpoint, limits, …). */
  env: Record<string, string>;
  /** Object in the drop bucket whose arrival is delivered. */
  name: string;
  generation?: string | undefined;
  owner: string;
  /** Added to the worker's clock (`deps.now`). */
  clockOffsetMs?: number | undefined;
}

/** How a worker ended. */
export type WorkerEnd =
  | { kind: 'outcome'; outcome: Outcome }
  | { kind: 'threw'; reason: string }
  | { kind: 'crash'; reason: string }
  | { kind: 'killed'; signal: NodeJS.Signals }
  | { kind: 'exit'; code: number | null; stderr: string };

/** A running worker. */
export interface Worker {
  child: ChildProcess;
  /** Resolves once the worker has built its pipeline and is about to deliver. */
  ready: Promise<void>;
  /** Resolves when the process has exited, with what it reported. */
  ended: Promise<WorkerEnd>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts one worker process.
 * @example
 * const w = spawnWorker({ projectId, dropDir, resultsDir, env, name: 'a/cat.json', owner: 'w1' });
 * const end = await w.ended; // { kind: 'outcome', outcome: { kind: 'succeeded', … } }
 */
export function spawnWorker(job: WorkerJob): Worker {
  const child = spawn(TSX, [join(HERE, 'worker-main.ts')], {
    env: { ...process.env, DARKROOM_WORKER_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.includes('"type":"ready"')) markReady();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const ended = new Promise<WorkerEnd>((resolve) => {
    child.on('exit', (code, signal) => {
      markReady();
      if (signal) return resolve({ kind: 'killed', signal });
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; outcome?: Outcome; reason?: string });
      const last = lines.findLast((l) => l.type !== 'ready');
      if (last?.type === 'outcome' && last.outcome)
        return resolve({ kind: 'outcome', outcome: last.outcome });
      if (last?.type === 'threw' || last?.type === 'crash') {
        return resolve({ kind: last.type, reason: last.reason ?? '' });
      }
      resolve({ kind: 'exit', code, stderr });
    });
  });
  return { child, ready, ended, kill: (signal = 'SIGKILL') => child.kill(signal) };
}

/**
 * @returns the outcome a worker reported, or throws with what happened instead
 */
export async function outcomeOf(worker: Worker): Promise<Outcome> {
  const end = await worker.ended;
  if (end.kind !== 'outcome')
    throw new Error(`worker ${worker.child.pid} did not report an outcome: ${JSON.stringify(end)}`);
  return end.outcome;
}
