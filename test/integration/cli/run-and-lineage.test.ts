import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineageCommand } from '../../../shared/cli/lineage-command.js';
import { runCommand } from '../../../shared/cli/run-command.js';
import { loadConfig } from '../../../shared/config.js';
import type { Engine } from '../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { silentLogger } from '../../../shared/log.js';
import { SNAPSHOT_FILE } from '../../../shared/runner/local-env.js';
import { badFixture, fixture } from '../../fixtures/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const CLI = join(REPO, 'functions/cli.ts');
// Each child process compiles the CLI with tsx; on a loaded 2-core machine that takes a while.
const CHILD_TIMEOUT_MS = 100_000;
const SLOW = { timeout: 2 * CHILD_TIMEOUT_MS };

/** The environment of a fresh local runner: no external emulator, small images allowed. */
function runnerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FIRESTORE_EMULATOR_HOST: _, ...env } = process.env;
  return { ...env, DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64', ...extra };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `darkroom <args>` as a new process (`tsx functions/cli.ts`). */
function darkroom(args: string[], env: NodeJS.ProcessEnv = runnerEnv()): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO, env, timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The local engine, counting its edit calls. */
function countingLocalEngine(): { engine: Engine; calls: () => number } {
  const local = createLocalEngine();
  let calls = 0;
  const engine: Engine = {
    name: local.name,
    generative: local.generative,
    plan: (stage) => local.plan(stage),
    edit: async (request) => {
      calls += 1;
      return local.edit(request);
    },
  };
  return { engine, calls: () => calls };
}

/** `darkroom run` in this process, with its own in-process emulator and snapshot (a restart each time). */
async function runInProcess(dropDir: string, resultsDir: string, engines: Engine[]) {
  const env = runnerEnv();
  const lines: string[] = [];
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  try {
    // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
    delete process.env.FIRESTORE_EMULATOR_HOST;
    const code = await runCommand({
      config: loadConfig(env),
      env,
      dropDir,
      resultsDir,
      watch: false,
      log: silentLogger,
      print: (line) => lines.push(line),
      engines,
    });
    return { code, lines };
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

/** `darkroom lineage` in this process, with its own in-process emulator restored from the snapshot. */
async function lineageInProcess(target: string, resultsDir: string) {
  const env = runnerEnv();
  const lines: string[] = [];
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  try {
    // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
    delete process.env.FIRESTORE_EMULATOR_HOST;
    const code = await lineageCommand({
      config: loadConfig(env),
      env,
      target,
      resultsDir,
      log: silentLogger,
      print: (line) => lines.push(line),
    });
    return { code, lines };
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

async function write(path: string, data: Buffer | string | object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.isBuffer(data) || typeof data === 'string' ? data : JSON.stringify(data));
}

const smallPng = (from: string, width = 160) => sharp(from).resize(width).png().toBuffer();

interface SnapshotDoc {
  path: string;
  data: Record<string, unknown>;
}

async function readSnapshot(resultsDir: string): Promise<SnapshotDoc[]> {
  return JSON.parse(await readFile(join(resultsDir, SNAPSHOT_FILE), 'utf8')).docs;
}

/** Every file under `dir` whose name is `base`, relative to `dir`. */
async function findFiles(dir: string, base: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name === base)
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const NO_STACK = /^\s+at .+[:(]/m;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'darkroom-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('darkroom run, then darkroom lineage', () => {
  let dropDir: string;
  let resultsDir: string;
  const counter = countingLocalEngine();
  let first: { code: number; lines: string[] };

  beforeAll(async () => {
    dropDir = join(root, 'drop');
    resultsDir = join(root, 'results');
    await write(join(dropDir, 'portraits/cat.png'), await smallPng(fixture('chelsea.png')));
    await write(join(dropDir, 'portraits/cat.json'), {
      labels: { sku: 'CAT-1' },
      stages: [
        { name: 'warm', prompt: 'make it warmer' },
        { name: 'mono', prompt: 'black and white', seed: 7 },
      ],
    });
    await write(join(dropDir, 'hot/_recipe.json'), { prompt: 'brighter' });
    await write(join(dropDir, 'hot/cafe.png'), await smallPng(fixture('coffee.png')));
    first = await runInProcess(dropDir, resultsDir, [counter.engine]);
  });

  it('processes every pair: outputs, manifests and a lineage snapshot', async () => {
    expect(first.code).toBe(0);
    expect(first.lines).toContain('\n2 job(s): 2 succeeded, 0 failed, 0 already done');
    expect(first.lines.filter((l) => l.startsWith('✔ '))).toHaveLength(2);
    expect(counter.calls()).toBe(3);
    const manifests = await findFiles(resultsDir, 'manifest.json');
    expect(manifests).toHaveLength(2);
    expect(manifests.map((m) => m.split('/').slice(0, 2).join('/'))).toEqual(['hot/cafe', 'portraits/cat']);
    const catPrefix = dirname(manifests[1] ?? '');
    for (const file of ['final.webp', 'stages/01-warm.png', 'stages/02-mono.png']) {
      expect((await stat(join(resultsDir, catPrefix, file))).size).toBeGreaterThan(0);
    }
    const docs = await readSnapshot(resultsDir);
    const jobs = docs.filter((d) => /^jobs\/[^/]+$/.test(d.path));
    expect(jobs.map((j) => j.data.status)).toEqual(['succeeded', 'succeeded']);
    expect(docs.filter((d) => d.path.includes('/stages/'))).toHaveLength(3);
  });

  it('does no duplicate work when run again after a restart', async () => {
    const before = (await readSnapshot(resultsDir)).filter((d) => d.path.includes('/stages/'));
    const second = await runInProcess(dropDir, resultsDir, [counter.engine]);
    expect(second.code).toBe(0);
    expect(counter.calls()).toBe(3);
    expect(second.lines).toContain('\n2 job(s): 0 succeeded, 0 failed, 2 already done');
    expect(second.lines.filter((l) => l.startsWith('= ')).every((l) => l.endsWith('already succeeded'))).toBe(
      true,
    );
    const after = (await readSnapshot(resultsDir)).filter((d) => d.path.includes('/stages/'));
    expect(after).toEqual(before);
    expect(await findFiles(resultsDir, 'manifest.json')).toHaveLength(2);
  });

  it('prints the job, stages and inputs behind an output, from a new process', SLOW, async () => {
    const [, catManifest] = await findFiles(resultsDir, 'manifest.json');
    const jobId = (catManifest ?? '').split('/')[2] ?? '';
    const output = join(resultsDir, dirname(catManifest ?? ''), 'final.webp');
    const byFile = await darkroom(['lineage', output, '--out', resultsDir]);
    expect(byFile.stderr).toBe('');
    expect(byFile.code).toBe(0);
    const text = byFile.stdout;
    expect(text).toContain(`final output of job ${jobId}`);
    expect(text).toContain(`job ${jobId}  succeeded`);
    expect(text).toMatch(/^ {2}image {4}drop\/portraits\/cat\.png#\d+$/m);
    expect(text).toMatch(/^ {2}request {2}drop\/portraits\/cat\.json#\d+ \(sidecar\)$/m);
    expect(text).toContain('  labels   sku=CAT-1');
    expect(text).toMatch(/^ {2}stage 1 warm: local\/\S+ seed=\d+/m);
    expect(text).toMatch(/^ {2}stage 2 mono: local\/\S+ seed=7/m);
    expect(text).toContain('    prompt  make it warmer.');
    expect(text).toContain('    prompt  black and white.');

    // By job id, and for a file that is no output, in this process (a restart again).
    const byId = await lineageInProcess(jobId, resultsDir);
    expect(byId.code).toBe(0);
    expect(byId.lines.join('\n')).toContain(`job ${jobId}  succeeded`);
    const unknown = await lineageInProcess(fixture('brick.png'), resultsDir);
    expect(unknown.code).toBe(1);
    expect(unknown.lines[0]).toMatch(/^No lineage for .*brick\.png \(sha256 [0-9a-f]{64}\): not an output/);
  });
});

describe('darkroom run with broken inputs', () => {
  it(
    'ends each as a failed job with a precise message and an error.json, exit code 1 and no stack trace',
    SLOW,
    async () => {
      const dropDir = join(root, 'broken');
      const resultsDir = join(root, 'broken-results');
      const png = await smallPng(fixture('coffee.png'), 120);
      await write(join(dropDir, 'good.png'), png);
      await write(join(dropDir, 'good.json'), { prompt: 'make it warmer' });
      await write(join(dropDir, 'malformed.png'), png);
      await write(join(dropDir, 'malformed.json'), '{"prompt": "warmer",');
      await write(join(dropDir, 'typo.png'), png);
      await write(join(dropDir, 'typo.json'), { prompt: 'warmer', outptu: { formats: ['png'] } });
      await write(join(dropDir, 'orphan.json'), { prompt: 'warmer' });
      await write(join(dropDir, 'engine.png'), png);
      await write(join(dropDir, 'engine.json'), { prompt: 'warmer', engine: 'dall-e' });
      await write(join(dropDir, 'notes.txt'), 'not an image at all');
      await write(join(dropDir, 'notes.json'), { prompt: 'warmer' });
      await write(join(dropDir, 'doc.pdf'), await readFile(badFixture('document.pdf')));
      await write(join(dropDir, 'doc.json'), { prompt: 'warmer' });

      const run = await darkroom(['run', dropDir, '--out', resultsDir]);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).not.toMatch(NO_STACK);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('7 job(s): 1 succeeded, 6 failed, 0 already done');

      const reports = await findFiles(resultsDir, 'error.json');
      const byStem = new Map<string, { code: string; message: string; jobId: string }>();
      for (const report of reports)
        byStem.set(report.split('/')[0] ?? '', JSON.parse(await readFile(join(resultsDir, report), 'utf8')));
      expect([...byStem.keys()].sort()).toEqual(['doc', 'engine', 'malformed', 'notes', 'orphan', 'typo']);
      expect(byStem.get('malformed')).toMatchObject({
        code: 'REQUEST_NOT_JSON',
        message: expect.stringMatching(/^the request is not valid JSON: /),
      });
      expect(byStem.get('typo')).toMatchObject({
        code: 'REQUEST_INVALID',
        message: 'unknown field "outptu" (check the spelling)',
      });
      expect(byStem.get('orphan')).toMatchObject({
        code: 'SIDECAR_IMAGE_MISSING',
        message: 'orphan.json: no image named "orphan.*" has arrived',
      });
      expect(byStem.get('engine')).toMatchObject({
        code: 'ENGINE_UNKNOWN',
        message: expect.stringMatching(
          /^stages\[0\]: engine "dall-e" is not available here; available: local/,
        ),
      });
      expect(byStem.get('notes')).toMatchObject({
        code: 'IMAGE_NOT_AN_IMAGE',
        message: expect.stringContaining('"notes.txt"'),
      });
      expect(byStem.get('doc')?.code).toMatch(/^(IMAGE_UNSUPPORTED_FORMAT|IMAGE_NOT_AN_IMAGE)$/);
      expect(byStem.get('doc')?.message).toContain('"doc.pdf"');

      // Each failure is on the terminal, once, pointing at its report, and in lineage.
      for (const [stem, report] of byStem) {
        const line = run.stdout.split('\n').find((l) => l.startsWith(`✘ ${stem}.`));
        expect(line, stem).toContain(`failed: ${report.code}: ${report.message}`);
        expect(line).toContain(`${report.jobId}/error.json`);
      }
      const jobs = (await readSnapshot(resultsDir)).filter((d) => /^jobs\/[^/]+$/.test(d.path));
      expect(jobs.map((j) => j.data.status).sort()).toEqual([...Array(6).fill('failed'), 'succeeded']);
      for (const report of byStem.values()) {
        const job = jobs.find((j) => j.path === `jobs/${report.jobId}`);
        expect(job?.data.error).toMatchObject({ code: report.code, message: report.message });
      }
    },
  );
});

describe('darkroom exit codes', () => {
  it(
    'exits 2 on usage and configuration errors, with a message and no stack trace; 0 for --help',
    SLOW,
    async () => {
      const [none, help, noFolder, bogus, badConfig, badEngine, noDrop] = await Promise.all([
        darkroom([]),
        darkroom(['--help']),
        darkroom(['run', join(root, 'no-such-folder')]),
        darkroom(['run', '--bogus', root]),
        darkroom(['run', root], runnerEnv({ MAX_ATTEMPTS: 'many' })),
        darkroom(['run', root, '--engine', 'dalle']),
        darkroom(['backfill', '.', '--drop', join(root, 'no-such-folder'), '--dry-run']),
      ]);
      for (const r of [none, noFolder, bogus, badConfig, badEngine, noDrop]) {
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).not.toMatch(NO_STACK);
      }
      expect(none.stdout).toContain('Usage: darkroom');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('lineage');
      expect(noFolder.stderr).toContain('does not exist or is not a folder');
      // The command's own words and usage, not the argument parser's.
      expect(bogus.stderr).toContain('run: unknown option "--bogus"');
      expect(bogus.stderr).toContain('Usage: darkroom run <dropDir>');
      expect(bogus.stderr).not.toContain('To specify a positional argument');
      // The flag is blamed, not an environment variable nobody set.
      expect(badEngine.stderr).toContain('--engine must be one of local, gemini, replicate (got "dalle")');
      expect(badEngine.stderr).not.toContain('DARKROOM_ENGINE');
      expect(noDrop.stderr).toContain('backfill: the drop folder');
      expect(badConfig.stderr).toMatch(/Environment variable MAX_ATTEMPTS .*\(got "many"\)/);
    },
  );
});

describe('darkroom run with a corrupt lineage snapshot', () => {
  it('exits 1 naming the snapshot file instead of hanging', SLOW, async () => {
    const results = await mkdtemp(join(tmpdir(), 'darkroom-snapshot-'));
    const drop = await mkdtemp(join(tmpdir(), 'darkroom-drop-'));
    await mkdir(join(results, dirname(SNAPSHOT_FILE)), { recursive: true });
    await writeFile(join(results, SNAPSHOT_FILE), '{ not json');
    const r = await darkroom(['run', drop, '--out', results]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not restore lineage from ${join(results, SNAPSHOT_FILE)}`);
    expect(r.stdout + r.stderr).not.toMatch(NO_STACK);
    await rm(results, { recursive: true, force: true });
    await rm(drop, { recursive: true, force: true });
  });
});
