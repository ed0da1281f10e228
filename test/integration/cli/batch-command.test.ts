import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import { BATCH_PROMPT } from '../batch/batch-harness.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const CLI = join(REPO, 'functions/cli.ts');
// Each child process compiles the CLI with tsx; on a loaded 2-core machine that takes a while.
const CHILD_TIMEOUT_MS = 100_000;

function darkroom(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO, env, timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('darkroom batch submit | status | cancel (separate processes, lineage kept in the snapshot)', () => {
  const clock = { t: Date.now() };
  let server: GeminiServer;
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => clock.t });
    root = await mkdtemp(join(tmpdir(), 'darkroom-batch-cli-'));
    await mkdir(join(root, 'drop'), { recursive: true });
    const { FIRESTORE_EMULATOR_HOST: _, ...rest } = process.env;
    env = {
      ...rest,
      DARKROOM_ENGINE: 'gemini',
      GEMINI_API_KEY: 'test-key',
      GOOGLE_GEMINI_BASE_URL: server.url,
    };
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it(
    'runs a batch-lane drop folder to waiting-batch, submits it, then applies the results',
    async () => {
      const drop = join(root, 'drop');
      const out = join(root, 'results');
      for (const name of ['a', 'b']) {
        await copyFile(fixture('chelsea.png'), join(drop, `${name}.png`));
        await writeFile(join(drop, `${name}.json`), JSON.stringify({ lane: 'batch', prompt: BATCH_PROMPT }));
      }
      const run = await darkroom(['run', drop, '--out', out, '--engine', 'gemini'], env);
      expect(run.stdout).toContain('2 waiting-batch');
      expect(run.code).toBe(0);

      const early = await darkroom(['batch', 'submit', '--drop', drop, '--out', out], env);
      expect(early.stdout).toContain('2 stage(s) of gemini-3.1-flash-image keep waiting');
      expect(server.batches.creates).toBe(0);

      const submit = await darkroom(['batch', 'submit', '--force', '--drop', drop, '--out', out], env);
      expect(submit.stdout).toMatch(/→ darkroom-[0-9a-f]+ submitted/);
      expect(server.batches.creates).toBe(1);

      const pending = await darkroom(['batch', 'status', '--drop', drop, '--out', out], env);
      expect(pending.stdout).toMatch(/darkroom-[0-9a-f]+ {2}pending {2}2 request\(s\)/);

      clock.t += 200_000;
      const done = await darkroom(['batch', 'status', '--drop', drop, '--out', out], env);
      expect(done.stdout).toMatch(/darkroom-[0-9a-f]+ {2}succeeded/);
      expect(done.stdout.match(/job [0-9a-f]+: succeeded/g)).toHaveLength(2);
      expect(done.code).toBe(0);
      expect(server.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);
    },
    6 * CHILD_TIMEOUT_MS,
  );

  it(
    'cancels a live batch; the next status fails its stages with BATCH_CANCELLED',
    async () => {
      const drop = join(root, 'drop');
      const out = join(root, 'results-cancel');
      await copyFile(fixture('chelsea.png'), join(drop, 'c.png'));
      await writeFile(join(drop, 'c.json'), JSON.stringify({ lane: 'batch', prompt: BATCH_PROMPT, seed: 3 }));
      await darkroom(['run', drop, '--out', out, '--engine', 'gemini'], env);
      const submit = await darkroom(['batch', 'submit', '--force', '--drop', drop, '--out', out], env);
      const id = /→ (darkroom-[0-9a-f]+) submitted/.exec(submit.stdout)?.[1] as string;
      const cancel = await darkroom(['batch', 'cancel', id, '--drop', drop, '--out', out], env);
      expect(cancel.stdout).toContain(`${id} (batches/`);
      const status = await darkroom(['batch', 'status', '--drop', drop, '--out', out], env);
      expect(status.stdout).toContain('BATCH_CANCELLED');
      expect(status.code).toBe(1);
    },
    6 * CHILD_TIMEOUT_MS,
  );
});
