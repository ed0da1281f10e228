import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { openLocalEnvironment, SNAPSHOT_FILE } from '../../../shared/runner/local-env.js';
import { type RunEntry, runFolder, summarize } from '../../../shared/runner/run-folder.js';
import { watchFolder } from '../../../shared/runner/watch-folder.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const small = () => sharp(fixture('coffee.png')).resize(120).png().toBuffer();

/** Waits until `check` returns a value, polling every 20 ms; fails naming `what` after `ms`. */
async function waitFor<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runFolder', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('handles every input and sidecar once, runs each job once, and fails a sidecar without image', async () => {
    await h.drop('a.png', await small());
    await h.drop('a.json', { prompt: 'brighter' });
    await h.drop('hot/_recipe.json', { prompt: 'black and white' });
    await h.drop('hot/b.png', await small());
    await h.drop('lonely.json', { prompt: 'warmer' });
    await h.drop('_scenes/wall.png', await small());
    await h.drop('.hidden.png', await small());
    const seen: [string, number, number][] = [];
    const entries = await runFolder(h.deps, {
      bucket: 'drop',
      onEntry: (entry, done, total) => {
        seen.push([entry.object, done, total]);
      },
    });
    expect(entries.map((e) => [e.object, e.outcome.kind])).toEqual([
      ['a.json', 'succeeded'],
      ['a.png', 'duplicate'],
      ['hot/b.png', 'succeeded'],
      ['lonely.json', 'failed'],
    ]);
    expect(seen.map(([, done, total]) => `${done}/${total}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const lonely = entries[3]?.outcome;
    expect(lonely?.kind === 'failed' && lonely.error.code).toBe('SIDECAR_IMAGE_MISSING');
    expect(summarize(entries)).toEqual({
      ignored: 0,
      waiting: 0,
      succeeded: 2,
      failed: 1,
      duplicate: 0,
      busy: 0,
      dispatched: 0,
      'waiting-batch': 0,
      retry: 0,
      jobs: 3,
    });

    const again = await runFolder(h.deps, { bucket: 'drop', concurrency: 2 });
    expect(again.every((e) => e.outcome.kind === 'duplicate')).toBe(true);
    expect(summarize(again)).toMatchObject({ duplicate: 3, succeeded: 0, failed: 0, jobs: 3 });
  });

  it('rethrows an infrastructure failure only after the jobs in flight in other workers are done', async () => {
    await h.drop('boom.png', await small());
    await h.drop('boom.json', { prompt: 'brighter' });
    await h.drop('ok.png', await small());
    await h.drop('ok.json', { prompt: 'darker' });
    const lineage = {
      ...h.lineage,
      createJob: async (job: Parameters<typeof h.lineage.createJob>[0]) => {
        if (job.sourceKey.includes('boom')) throw new Error('Firestore unreachable');
        return h.lineage.createJob(job);
      },
    };
    await expect(runFolder({ ...h.deps, lineage }, { bucket: 'drop', concurrency: 2 })).rejects.toThrow(
      'Firestore unreachable',
    );
    const jobs = await h.lineage.listJobs();
    expect(jobs.map((j) => [j.sourceKey, j.status])).toEqual([['drop/ok.png', 'succeeded']]);
  });
});

describe('summarize', () => {
  it('counts each job once, and arrivals without a job by kind', () => {
    const entries: RunEntry[] = [
      { object: 'a.json', outcome: { kind: 'succeeded', jobId: 'J1', prefix: 'a/J1/', outputs: [] } },
      { object: 'a.png', outcome: { kind: 'duplicate', jobId: 'J1', status: 'succeeded' } },
      { object: 'b.png', outcome: { kind: 'duplicate', jobId: 'J2', status: 'failed' } },
      { object: 'c.png', outcome: { kind: 'waiting', reason: 'no sidecar' } },
      { object: 'd.png', outcome: { kind: 'busy', jobId: 'J3' } },
    ];
    expect(summarize(entries)).toEqual({
      ignored: 0,
      waiting: 1,
      succeeded: 1,
      failed: 0,
      duplicate: 1,
      busy: 1,
      dispatched: 0,
      'waiting-batch': 0,
      retry: 0,
      jobs: 3,
    });
  });
});

describe('watchFolder', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('handles a pair that arrives while watching, leaves files present at the start, and stops on abort', async () => {
    await h.drop('old.png', await small());
    await h.drop('old.json', { prompt: 'brighter' });
    const entries: RunEntry[] = [];
    const controller = new AbortController();
    const watching = watchFolder(h.deps, {
      bucket: 'drop',
      intervalMs: 25,
      signal: controller.signal,
      onEntry: (entry) => {
        entries.push(entry);
      },
    });
    await h.drop('new.png', await small());
    await h.drop('new.json', { prompt: 'darker' });
    const done = await waitFor('the new pair to succeed', () =>
      entries.find((e) => e.outcome.kind === 'succeeded'),
    );
    controller.abort();
    await watching;
    expect(done.object).toMatch(/^new\.(png|json)$/);
    expect(entries.every((e) => e.object.startsWith('new.'))).toBe(true);
    expect(await h.lineage.listJobs()).toHaveLength(1);
  });

  it('keeps watching when handling an arrival throws, and handles it again at a later poll', async () => {
    let failures = 0;
    const lineage = {
      ...h.lineage,
      createJob: async (job: Parameters<typeof h.lineage.createJob>[0]) => {
        if (failures++ === 0) throw new Error('Firestore unreachable');
        return h.lineage.createJob(job);
      },
    };
    const entries: RunEntry[] = [];
    const controller = new AbortController();
    const watching = watchFolder(
      { ...h.deps, lineage },
      {
        bucket: 'drop',
        intervalMs: 25,
        signal: controller.signal,
        onEntry: (entry) => {
          entries.push(entry);
        },
      },
    );
    await h.drop('flaky.json', { prompt: 'darker' });
    await h.drop('flaky.png', await small());
    const done = await waitFor('the pair to succeed after the failure', () =>
      entries.find((e) => e.outcome.kind === 'succeeded'),
    );
    controller.abort();
    await watching;
    expect(failures).toBeGreaterThan(1);
    expect(done.object).toMatch(/^flaky\.(png|json)$/);
    expect(await h.lineage.listJobs()).toHaveLength(1);
  });
});

describe('openLocalEnvironment', () => {
  it('uses the configured emulator and keeps no snapshot of it', async () => {
    const resultsDir = await mkdtemp(join(tmpdir(), 'darkroom-env-'));
    try {
      const env = {
        FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
        GOOGLE_CLOUD_PROJECT: `demo-env-${Date.now()}`,
        DARKROOM_ENGINE: 'local',
      };
      const local = await openLocalEnvironment({
        config: loadConfig(env),
        env,
        resultsDir,
        log: silentLogger,
      });
      expect(local.emulated).toBe(false);
      expect(local.deps.results).toEqual({ bucket: 'results', prefix: '' });
      expect([...local.deps.engines.keys()]).toContain('local');
      await local.close();
      await expect(access(join(resultsDir, SNAPSHOT_FILE))).rejects.toThrow();
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });
});
