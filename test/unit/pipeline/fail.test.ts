import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { PermanentError } from '../../../shared/errors.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import { silentLogger } from '../../../shared/log.js';
import { failJob } from '../../../shared/pipeline/fail.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import { jobRecord } from '../../support/lineage-store-contract.js';

const T0 = Date.parse('2026-03-01T12:10:00.000Z');

function deps(): PipelineDeps {
  return {
    config: loadConfig({}),
    store: createFsObjectStore({ buckets: { results: mkdtempSync(join(tmpdir(), 'darkroom-fail-')) } }),
    lineage: createMemoryLineageStore(),
    engines: new Map(),
    log: silentLogger,
    owner: 'a',
    results: { bucket: 'results', prefix: '' },
    now: () => T0,
  };
}

const report = (attempt: number) => ({
  jobId: 'J',
  prefix: 'a/photo/J/',
  error: new PermanentError('IMAGE_CORRUPT', 'truncated'),
  attempt,
});

describe('failJob', () => {
  it('marks the job failed while the attempt owns it', async () => {
    const d = deps();
    await d.lineage.createJob(jobRecord('J', { attempt: 2 }));
    await failJob(d, report(2));
    expect(await d.lineage.getJob('J')).toMatchObject({
      status: 'failed',
      error: { code: 'IMAGE_CORRUPT' },
      finishedAt: new Date(T0),
    });
    expect(await d.store.stat({ bucket: 'results', name: 'a/photo/J/error.json' })).toBeTruthy();
  });

  it.each([
    ['a later attempt took the job over', jobRecord('J', { attempt: 3 })],
    ['the job has already succeeded', jobRecord('J', { attempt: 2, status: 'succeeded' })],
  ])('leaves the job alone when %s', async (_what, job) => {
    const d = deps();
    await d.lineage.createJob(job);
    await failJob(d, report(2));
    expect(await d.lineage.getJob('J')).toEqual(job);
    expect(await d.store.stat({ bucket: 'results', name: 'a/photo/J/error.json' })).toBeUndefined();
  });
});
