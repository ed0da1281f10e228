import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../shared/cli/run-command.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';

/** `darkroom run` in this process, with its own in-process emulator and snapshot (a restart each time). */
async function run(options: {
  dropDir: string;
  resultsDir: string;
  env: Record<string, string>;
  retryFailed?: boolean;
}) {
  const { FIRESTORE_EMULATOR_HOST: saved, ...base } = process.env;
  const env = { ...base, DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64', ...options.env };
  const lines: string[] = [];
  try {
    // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
    delete process.env.FIRESTORE_EMULATOR_HOST;
    const code = await runCommand({
      config: loadConfig(env),
      env,
      dropDir: options.dropDir,
      resultsDir: options.resultsDir,
      watch: false,
      log: silentLogger,
      print: (line) => lines.push(line),
      retryFailed: options.retryFailed,
    });
    return { code, out: lines.join('\n') };
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

describe('darkroom run --retry-failed: a failure the operator fixed', () => {
  let root: string;
  let dropDir: string;
  let resultsDir: string;
  let gemini: GeminiServer;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'darkroom-retry-'));
    dropDir = join(root, 'drop');
    resultsDir = join(root, 'results');
    await mkdir(dropDir, { recursive: true });
    await writeFile(
      join(dropDir, 'cup.png'),
      await sharp(fixture('coffee.png')).resize(160).png().toBuffer(),
    );
    await writeFile(
      join(dropDir, 'cup.json'),
      JSON.stringify({ engine: 'gemini', prompt: 'Make it warmer' }),
    );
    gemini = await startGeminiServer();
  });
  afterAll(async () => {
    await gemini.close();
    await rm(root, { recursive: true, force: true });
  });

  it('fails without a key, says how to retry, and succeeds with --retry-failed once the key is set', async () => {
    const first = await run({ dropDir, resultsDir, env: {} });
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/ENGINE_NOT_CONFIGURED/);
    // The pair's second file is part of the job this run started, not an earlier one.
    expect(first.out).toMatch(/= cup\.(png|json): part of job [0-9a-f]{24} above/);
    expect(first.out).not.toMatch(/already failed/);

    const key = { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: gemini.url };
    const again = await run({ dropDir, resultsDir, env: key });
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already failed; once its cause is fixed, `darkroom run --retry-failed`/);
    expect(gemini.calls).toHaveLength(0);

    const retried = await run({ dropDir, resultsDir, env: key, retryFailed: true });
    expect(retried.out).toMatch(/Retrying 1 failed job\(s\)/);
    expect(retried.out).toMatch(/✔ cup\.(png|json) →/);
    expect(retried.code).toBe(0);
    expect(gemini.calls.length).toBeGreaterThan(0);

    const report = await readFile(join(resultsDir, 'index.html'), 'utf8');
    expect(report).toContain('1 succeeded, 0 failed, 0 to retry, 0 running');
    expect(report).not.toContain('ENGINE_NOT_CONFIGURED');

    const settled = await run({ dropDir, resultsDir, env: key });
    expect(settled.code).toBe(0);
  });
});
