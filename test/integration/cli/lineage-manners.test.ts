import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineageCommand } from '../../../shared/cli/lineage-command.js';
import { reportCommand } from '../../../shared/cli/report-command.js';
import { runCommand } from '../../../shared/cli/run-command.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { fixture } from '../../fixtures/index.js';

/** The environment of a fresh local runner: its own in-process emulator, small images allowed. */
function runnerEnv(): NodeJS.ProcessEnv {
  const { FIRESTORE_EMULATOR_HOST: _, ...env } = process.env;
  return { ...env, DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64' };
}

async function inProcess<T>(body: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  try {
    // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
    delete process.env.FIRESTORE_EMULATOR_HOST;
    return await body(runnerEnv());
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

async function lineage(target: string, resultsDir: string) {
  return inProcess(async (env) => {
    const lines: string[] = [];
    const code = await lineageCommand({
      config: loadConfig(env),
      env,
      target,
      resultsDir,
      log: silentLogger,
      print: (l) => lines.push(l),
    });
    return { code, out: lines.join('\n') };
  });
}

describe('darkroom lineage finds the truth from the file itself', () => {
  let root: string;
  let results: string;
  let jobDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'darkroom-lineage-'));
    const drop = join(root, 'drop');
    results = join(root, 'elsewhere');
    await mkdir(drop, { recursive: true });
    await writeFile(join(drop, 'cup.png'), await sharp(fixture('coffee.png')).resize(120).png().toBuffer());
    await writeFile(join(drop, 'cup.json'), JSON.stringify({ prompt: 'Make it warmer' }));
    await inProcess((env) =>
      runCommand({
        config: loadConfig(env),
        env,
        dropDir: drop,
        resultsDir: results,
        watch: false,
        log: silentLogger,
        print: () => {},
        report: false,
      }),
    );
    const [jobId] = await readdir(join(results, 'cup'));
    jobDir = join(results, 'cup', jobId as string);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a file under another results folder is traced there, with real paths, whatever --out says', async () => {
    const { code, out } = await lineage(join(jobDir, 'final.webp'), join(root, 'results'));
    expect(code).toBe(0);
    expect(out).toContain('final output of job');
    expect(out).toContain(join(jobDir, 'final.webp'));
    expect(out).not.toMatch(/ results\/cup\//);
  });

  it('compare.jpg and manifest.json are explained as files of their job', async () => {
    expect((await lineage(join(jobDir, 'compare.jpg'), results)).out).toMatch(
      /compare sheet of job [0-9a-f]{24}/,
    );
    expect((await lineage(join(jobDir, 'manifest.json'), results)).out).toMatch(
      /manifest of job [0-9a-f]{24}/,
    );
  });

  it('a missing file is "no such file"; a folder without lineage is named and not created', async () => {
    const missing = await lineage(join(root, 'nonexistent.png'), results);
    expect(missing).toEqual({ code: 1, out: `No such file: ${join(root, 'nonexistent.png')}` });
    const nope = join(root, 'nope');
    const empty = await lineage('0123456789abcdef01234567', nope);
    expect(empty.code).toBe(1);
    expect(empty.out).toContain(`No lineage in ${nope}`);
    await expect(stat(nope)).rejects.toThrow();
  });

  it('an unrelated file names the results folder it searched', async () => {
    const stranger = join(results, 'stranger.png');
    await writeFile(stranger, await sharp(fixture('coffee.png')).resize(90).png().toBuffer());
    const { code, out } = await lineage(stranger, join(root, 'results'));
    expect(code).toBe(1);
    expect(out).toContain(`not an output of the results folder ${results}`);
  });

  it('report writes into a results folder, and into nothing else (e.g. the drop folder)', async () => {
    const report = (resultsDir: string) =>
      inProcess(async (env) => {
        const lines: string[] = [];
        const code = await reportCommand({
          config: loadConfig(env),
          env,
          resultsDir,
          log: silentLogger,
          print: (l) => lines.push(l),
        });
        return { code, out: lines.join('\n') };
      });
    const drop = join(root, 'drop');
    const refused = await report(drop);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('is not a results folder');
    await expect(stat(join(drop, 'index.html'))).rejects.toThrow();
    await expect(stat(join(drop, '.darkroom'))).rejects.toThrow();
    const written = await report(results);
    expect(written.code).toBe(0);
    expect((await stat(join(results, 'index.html'))).isFile()).toBe(true);
  });
});
