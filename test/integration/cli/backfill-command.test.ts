import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backfillCommand, capReached } from '../../../shared/cli/backfill-command.js';
import { loadConfig } from '../../../shared/config.js';
import type { Engine } from '../../../shared/engines/engine.js';
import { silentLogger } from '../../../shared/log.js';
import { fixture } from '../../fixtures/index.js';

/** An engine with no price table: its cost cannot be known before a run. */
class UnpricedEngine implements Engine {
  readonly name = 'unpriced';
  readonly generative = true;
  calls = 0;
  plan() {
    return { model: 'unpriced-1', warnings: [] };
  }
  async edit(request: Parameters<Engine['edit']>[0]) {
    this.calls += 1;
    return { image: request.input, model: 'unpriced-1', warnings: [] };
  }
}

describe('backfillCommand', () => {
  let root: string;
  let dropDir: string;
  let resultsDir: string;
  let lines: string[];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'darkroom-backfill-'));
    dropDir = join(root, 'drop');
    resultsDir = join(root, 'results');
    lines = [];
    for (const name of ['a', 'b', 'c']) {
      await cp(fixture('chelsea.png'), join(dropDir, 'shop', `${name}.png`));
      await writeFile(join(dropDir, 'shop', `${name}.json`), JSON.stringify({ prompt: 'warmer' }));
    }
    await cp(fixture('coffee.png'), join(dropDir, 'other', 'x.png'));
    await writeFile(join(dropDir, 'other', 'x.json'), JSON.stringify({ prompt: 'cooler' }));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function backfill(
    options: Partial<Parameters<typeof backfillCommand>[0]> & { engine?: string; project?: string } = {},
  ) {
    // A project of its own on the shared emulator, so that no other test's jobs show up.
    const project = options.project ?? `demo-bf-${randomUUID().slice(0, 8)}`;
    const env = { DARKROOM_ENGINE: options.engine ?? 'local', GOOGLE_CLOUD_PROJECT: project };
    return backfillCommand({
      config: loadConfig(env),
      env: { ...env, FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST },
      dropDir,
      prefix: 'shop/',
      resultsDir,
      dryRun: false,
      log: silentLogger,
      print: (l) => lines.push(l),
      ...options,
    });
  }
  const jobFolders = async () => readdir(join(resultsDir, 'shop', 'a')).catch(() => []);

  it('a dry run on the in-process emulator creates no results folder (it only looks)', async () => {
    const saved = process.env.FIRESTORE_EMULATOR_HOST;
    try {
      // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
      delete process.env.FIRESTORE_EMULATOR_HOST;
      const env = { DARKROOM_ENGINE: 'local' };
      const code = await backfillCommand({
        config: loadConfig(env),
        env,
        dropDir,
        prefix: 'shop/',
        resultsDir,
        dryRun: true,
        log: silentLogger,
        print: (l) => lines.push(l),
      });
      expect(code).toBe(0);
      expect(lines.join('\n')).toMatch(/Dry run: 3 of 3 job\(s\) would run/);
      await expect(stat(resultsDir)).rejects.toThrow();
    } finally {
      process.env.FIRESTORE_EMULATOR_HOST = saved;
    }
  });

  it('lists the jobs and their estimated cost on a dry run, and runs nothing', async () => {
    const code = await backfill({ dryRun: true, engine: 'gemini', maxCostUsd: 0.1 });
    expect(code).toBe(0);
    const out = lines.join('\n');
    expect(
      out.match(/→ would run [0-9a-f]{24} {2}shop\/a\.png {2}1 stage\(s\), estimated \$0\.06\d+/g),
    ).toHaveLength(1);
    expect(out.match(/✋ over cap/g)).toHaveLength(2);
    expect(out).toMatch(/Dry run: 1 of 3 job\(s\) would run/);
    expect(out).toMatch(/would bring the total to \$0\.1\d+, over --max-cost \$0\.1/);
    expect(out).not.toContain('other/x.png');
    expect(await readdir(resultsDir).catch(() => [])).toEqual([]);
  });

  it('stops before the job past --max-jobs, says so, exits 3, and writes the report', async () => {
    const code = await backfill({ maxJobs: 2 });
    expect(code).toBe(3);
    const out = lines.join('\n');
    expect(out.match(/^✔ shop\/[abc]\.png/gm)).toHaveLength(2);
    expect(out).toContain('Stopped: --max-jobs 2 reached. 1 job(s) not started');
    const report = await readFile(join(resultsDir, 'index.html'), 'utf8');
    expect(report.match(/<article class="job"/g)).toHaveLength(2);
    expect(await readdir(join(resultsDir, 'shop'))).toHaveLength(2);
  });

  it('does not start a job whose cost cannot be known under --max-cost, and runs it without a cap', async () => {
    for (const name of ['a', 'b', 'c']) {
      await writeFile(
        join(dropDir, 'shop', `${name}.json`),
        JSON.stringify({ prompt: 'warmer', engine: 'unpriced' }),
      );
    }
    const engine = new UnpricedEngine();
    const project = `demo-bf-${randomUUID().slice(0, 8)}`;
    const capped = await backfill({ engines: [engine], maxCostUsd: 5, project });
    expect(capped).toBe(3);
    expect(engine.calls).toBe(0);
    expect(lines.join('\n')).toMatch(/cannot be known in advance, so --max-cost \$5 cannot be guaranteed/);
    expect(await jobFolders()).toEqual([]);
    expect(await backfill({ engines: [engine], project })).toBe(0);
    expect(engine.calls).toBe(3);
    expect(await jobFolders()).toHaveLength(1);
  });

  it('runs every job under the prefix once; a second backfill finds them finished', async () => {
    const env = { DARKROOM_ENGINE: 'local', GOOGLE_CLOUD_PROJECT: `demo-bf-${randomUUID().slice(0, 8)}` };
    const run = () =>
      backfillCommand({
        config: loadConfig(env),
        env: { ...env, FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST },
        dropDir,
        prefix: 'shop',
        resultsDir,
        dryRun: false,
        log: silentLogger,
        print: (l) => lines.push(l),
      });
    expect(await run()).toBe(0);
    expect(lines.filter((l) => l.startsWith('✔'))).toHaveLength(3);
    lines = [];
    expect(await run()).toBe(0);
    expect(lines.join('\n')).toContain('3 job(s) under "shop" already finished; skipped.');
    expect(lines.filter((l) => l.startsWith('✔'))).toHaveLength(0);
  });
});

describe('capReached', () => {
  const job = { jobId: 'j', trigger: {} as never, request: {} as never, stages: 1, estimateUsd: 0.04 };
  it('allows a job that lands exactly on the cap and refuses one past it', () => {
    expect(capReached(job, { maxCostUsd: 0.08 }, 1, 0.04)).toBeUndefined();
    expect(capReached(job, { maxCostUsd: 0.079 }, 1, 0.04)).toMatch(/over --max-cost/);
    expect(capReached(job, { maxJobs: 1 }, 1, 0)).toBe('--max-jobs 1 reached');
    expect(capReached(job, {}, 100, 100)).toBeUndefined();
  });
});
