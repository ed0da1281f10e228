import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { PermanentError } from '../../../shared/errors.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import { silentLogger } from '../../../shared/log.js';
import { SupersededError } from '../../../shared/pipeline/claim.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { createJobContext, type JobContext } from '../../../shared/pipeline/job-context.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import { jobRecord } from '../../support/lineage-records.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

let clock: number;
let deps: PipelineDeps;
let ctx: JobContext;

beforeEach(async () => {
  clock = T0;
  deps = {
    config: loadConfig({}),
    store: createFsObjectStore({ buckets: {} }),
    lineage: createMemoryLineageStore(),
    engines: new Map([['local', createLocalEngine()]]),
    log: silentLogger,
    owner: 'process-a',
    results: { bucket: 'results', prefix: '' },
    now: () => clock,
  };
  const job = jobRecord('job-1', { attempt: 2 });
  await deps.lineage.createJob(job);
  ctx = createJobContext({
    deps,
    job,
    attempt: 2,
    log: silentLogger,
    deadline: T0 + 60_000,
    image: { bucket: 'drop', name: 'a/p.jpg', generation: '7', size: 1, metadata: {} },
    request: { bucket: 'drop', name: 'a/p.json', generation: '8', size: 1, metadata: {} },
    prefix: 'a/p/job-1/',
    startedAt: T0,
  });
});

describe('createJobContext', () => {
  describe('now', () => {
    it('reads the deps clock each time', () => {
      expect(ctx.now()).toBe(T0);
      clock += 1500;
      expect(ctx.now()).toBe(T0 + 1500);
    });
  });

  describe('assertOwner', () => {
    it('passes while the attempt owns the job, by a fenced answer or by the job record', async () => {
      await expect(ctx.assertOwner(true)).resolves.toBeUndefined();
      await expect(ctx.assertOwner(Promise.resolve(true))).resolves.toBeUndefined();
      await expect(ctx.assertOwner()).resolves.toBeUndefined();
    });

    it('throws SupersededError for a failed fence', async () => {
      await expect(ctx.assertOwner(false)).rejects.toBeInstanceOf(SupersededError);
      await expect(ctx.assertOwner(Promise.resolve(false))).rejects.toBeInstanceOf(SupersededError);
    });

    it('throws SupersededError when a later attempt took the job over', async () => {
      await deps.lineage.updateJob('job-1', { attempt: 3 });
      await expect(ctx.assertOwner()).rejects.toBeInstanceOf(SupersededError);
    });
  });

  describe('outputMetadata', () => {
    it('links an output to the job and its image, with the extra keys', () => {
      expect(ctx.outputMetadata({ 'darkroom-role': 'final' })).toEqual({
        'darkroom-output': 'true',
        'darkroom-job': 'job-1',
        'darkroom-source': 'drop/a/p.jpg#7',
        'darkroom-role': 'final',
      });
    });
  });

  describe('requireEngine', () => {
    it('returns a known engine', () => {
      expect(ctx.requireEngine('local', 'stages[0]').name).toBe('local');
    });

    it('throws ENGINE_UNKNOWN naming where the request asked and what is available', () => {
      let thrown: unknown;
      try {
        ctx.requireEngine('gemini', 'stages[1]');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(PermanentError);
      expect(thrown).toMatchObject({
        code: 'ENGINE_UNKNOWN',
        message: 'stages[1]: engine "gemini" is not available here; available: local',
      });
    });
  });
});
