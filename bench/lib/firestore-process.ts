import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A Firestore emulator running in its own process. */
export interface FirestoreProcess {
  /** `host:port` for `FIRESTORE_EMULATOR_HOST`. */
  host: string;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./firestore-child.ts', import.meta.url));

/**
 * Starts the in-process Firestore emulator in a child process, so that its CPU is not
 * counted as the pipeline's (a real Firestore is another machine).
 */
export async function startFirestoreProcess(): Promise<FirestoreProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const host = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the Firestore emulator process exited with ${code}`)));
    lines.once('line', (line) => resolve(line.trim()));
  });
  return {
    host,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
      }),
  };
}
