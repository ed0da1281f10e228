/**
 * The LineageStore contract: one suite, run against every adapter (the memory store in
 * unit tests, the Firestore store on the emulator in integration tests). Where adapters
 * disagree, Firestore's behaviour is the reference.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobPatch, LineageStore } from '../../shared/lineage/lineage-store.js';
import type { CachedStage } from '../../shared/lineage/records.js';
import { fencedUpdateCases } from './fenced-update-contract.js';
import { assetRecord, at, jobRecord, stageRecord } from './lineage-records.js';

export { assetRecord, jobRecord, stageRecord } from './lineage-records.js';

/** A store under test and how to release it. */
export interface LineageStoreFixture {
  store: LineageStore;
  close?: () => Promise<void>;
}

function cachedStage(key: string, jobId: string): CachedStage {
  return {
    key,
    engine: 'local',
    model: 'darkroom-local-2',
    outputAssetId: `out-${jobId}`,
    output: { bucket: 'results', name: `${jobId}.png` },
    mimeType: 'image/png',
    width: 10,
    height: 10,
    bytes: 100,
    jobId,
    stage: 1,
    variant: 1,
    createdAt: at(9),
  };
}

/**
 * Runs the LineageStore contract against one adapter.
 * @param name the adapter's name in test titles
 * @param factory a fresh, empty store per test
 */
export function testLineageStore(
  name: string,
  factory: () => Promise<LineageStoreFixture> | LineageStoreFixture,
): void {
  describe(`LineageStore contract: ${name}`, () => {
    let fixture: LineageStoreFixture;
    let store: LineageStore;
    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    describe('jobs', () => {
      it('creates a job once: a second create returns false and changes nothing', async () => {
        expect(await store.createJob(jobRecord('j1'))).toBe(true);
        expect(await store.createJob(jobRecord('j1', { owner: 'intruder', status: 'failed' }))).toBe(false);
        const job = await store.getJob('j1');
        expect(job?.owner).toBe('host:1');
        expect(job?.status).toBe('running');
      });

      it('creates a job with its first attempt in one write, or neither when the job exists', async () => {
        const first = { attempt: 1, owner: 'host:1', startedAt: new Date('2026-03-01T00:00:00.000Z') };
        expect(await store.createJob(jobRecord('j1'), first)).toBe(true);
        expect(await store.createAttempt('j1', first)).toBe(false);
        expect(await store.createJob(jobRecord('j1'), { ...first, attempt: 2 })).toBe(false);
        expect(await store.createAttempt('j1', { ...first, attempt: 2 })).toBe(true);
      });

      it('returns undefined for a missing job', async () => {
        expect(await store.getJob('missing')).toBeUndefined();
      });

      it('round-trips a job, Dates as Dates', async () => {
        const job = jobRecord('j1', {
          finishedAt: at(30),
          timings: { loadMs: 3, stagesMs: 40 },
          costUsd: 0.039,
        });
        await store.createJob(job);
        const read = await store.getJob('j1');
        expect(read).toEqual(job);
        expect(read?.createdAt).toBeInstanceOf(Date);
        expect(read?.leaseExpiresAt).toBeInstanceOf(Date);
        expect(read?.finishedAt?.toISOString()).toBe('2026-03-01T12:00:30.000Z');
      });

      it('tolerates undefined fields, top-level and nested', async () => {
        const job = jobRecord('j1', {
          inputs: { image: undefined, request: jobRecord('x').inputs.request, requestKind: undefined },
          error: undefined,
          request: { image: undefined, stages: [{ prompt: 'a', seed: undefined }] },
        });
        expect(await store.createJob(job)).toBe(true);
        const read = await store.getJob('j1');
        expect(read?.inputs.image).toBeUndefined();
        expect(read?.error).toBeUndefined();
        expect(read?.inputs.request?.name).toBe('a/photo.json');
        expect(read?.request).toEqual({ stages: [{ prompt: 'a' }] });
      });

      it('keeps what it stored apart from the caller’s objects', async () => {
        const job = jobRecord('j1');
        await store.createJob(job);
        job.labels.sku = 'changed';
        const read = await store.getJob('j1');
        expect(read?.labels.sku).toBe('CUP-1');
        if (read) read.warnings.push('changed');
        expect((await store.getJob('j1'))?.warnings).toEqual([]);
      });

      it('merges an update into the job, leaving other fields alone', async () => {
        await store.createJob(jobRecord('j1'));
        await store.updateJob('j1', {
          status: 'failed',
          error: { code: 'IMAGE_CORRUPT', message: 'truncated', stage: 2 },
          finishedAt: at(60),
          updatedAt: at(60),
        });
        const job = await store.getJob('j1');
        expect(job).toEqual({
          ...jobRecord('j1'),
          status: 'failed',
          error: { code: 'IMAGE_CORRUPT', message: 'truncated', stage: 2 },
          finishedAt: at(60),
          updatedAt: at(60),
        });
        expect(job?.finishedAt).toBeInstanceOf(Date);
      });

      it('ignores undefined values in an update', async () => {
        await store.createJob(jobRecord('j1', { previousJobId: 'j0' }));
        await store.updateJob('j1', { previousJobId: undefined, attempt: 2 });
        const job = await store.getJob('j1');
        expect(job?.previousJobId).toBe('j0');
        expect(job?.attempt).toBe(2);
      });

      it('replaces each top-level field of an update as a whole', async () => {
        await store.createJob(
          jobRecord('j1', { checkpoints: { '1': { prediction: 'p1' } }, outputs: [], warnings: ['a', 'b'] }),
        );
        await store.updateJob('j1', {
          checkpoints: { '1': { prediction: 'p1' }, '2.1': { prediction: 'p2' } },
          results: { bucket: 'elsewhere', prefix: 'x/' },
          warnings: ['c'],
        });
        const job = await store.getJob('j1');
        expect(job?.checkpoints).toEqual({ '1': { prediction: 'p1' }, '2.1': { prediction: 'p2' } });
        expect(job?.results).toEqual({ bucket: 'elsewhere', prefix: 'x/' });
        expect(job?.warnings).toEqual(['c']);
        expect(job?.inputs).toEqual(jobRecord('j1').inputs);
        await store.updateJob('j1', { checkpoints: { '3': { prediction: 'p3' } }, labels: {} });
        const after = await store.getJob('j1');
        expect(after?.checkpoints).toEqual({ '3': { prediction: 'p3' } });
        expect(after?.labels).toEqual({});
      });

      it('keeps label keys with dots, dashes and digits through create and update', async () => {
        const labels = { 'sku.v2': 'CUP-2', 'product-id': 'x', a_b: 'y', 'v2-0': 'z' };
        await store.createJob(jobRecord('j1', { labels }));
        expect((await store.getJob('j1'))?.labels).toEqual(labels);
        await store.createJob(jobRecord('j2'));
        await store.updateJob('j2', { labels });
        expect((await store.getJob('j2'))?.labels).toEqual(labels);
      });

      it('writes what an update carries when it finds no job; reading it back names the document', async () => {
        await store.updateJob('ghost', { status: 'failed', updatedAt: at(1) });
        const read = store.getJob('ghost');
        await expect(read).rejects.toMatchObject({ name: 'PermanentError', code: 'LINEAGE_RECORD_INVALID' });
        await expect(store.getJob('ghost')).rejects.toThrow(
          /jobs\/ghost does not match its record schema: id: /,
        );
      });

      it('refuses to read back a job that an update left without a required field', async () => {
        await store.createJob(jobRecord('j1'));
        await store.updateJob('j1', { warnings: null } as unknown as JobPatch);
        await expect(store.getJob('j1')).rejects.toThrow(
          /jobs\/j1 does not match its record schema: warnings: /,
        );
        await expect(store.listJobs()).rejects.toMatchObject({ code: 'LINEAGE_RECORD_INVALID' });
      });

      it('clears a stale error with error: null', async () => {
        await store.createJob(jobRecord('j1', { error: { code: 'INTERNAL', message: 'boom' } }));
        await store.updateJob('j1', { error: null, status: 'succeeded' });
        const read = await store.getJob('j1');
        expect(read?.error).toBeUndefined();
        expect(read?.status).toBe('succeeded');
      });

      it('lists jobs newest first, by source, with a limit', async () => {
        await store.createJob(jobRecord('old', { createdAt: at(1) }));
        await store.createJob(jobRecord('new', { createdAt: at(3) }));
        await store.createJob(jobRecord('mid', { createdAt: at(2) }));
        await store.createJob(jobRecord('other', { createdAt: at(4), sourceKey: 'drop/b/other.jpg' }));
        expect((await store.listJobs()).map((j) => j.id)).toEqual(['other', 'new', 'mid', 'old']);
        const bySource = await store.listJobs({ sourceKey: 'drop/a/photo.jpg' });
        expect(bySource.map((j) => j.id)).toEqual(['new', 'mid', 'old']);
        expect(bySource[0]?.createdAt).toBeInstanceOf(Date);
        expect((await store.listJobs({ sourceKey: 'drop/a/photo.jpg', limit: 2 })).map((j) => j.id)).toEqual([
          'new',
          'mid',
        ]);
        expect(await store.listJobs({ sourceKey: 'drop/none.jpg' })).toEqual([]);
      });
    });

    fencedUpdateCases(() => store);

    describe('attempts', () => {
      it('creates each attempt number once per job', async () => {
        await store.createJob(jobRecord('j1'));
        const attempt = { attempt: 1, owner: 'a', startedAt: at(0) };
        expect(await store.createAttempt('j1', attempt)).toBe(true);
        expect(await store.createAttempt('j1', { ...attempt, owner: 'b' })).toBe(false);
        expect(await store.createAttempt('j1', { ...attempt, attempt: 2 })).toBe(true);
        await store.createJob(jobRecord('j2'));
        expect(await store.createAttempt('j2', attempt)).toBe(true);
      });
    });

    describe('stages', () => {
      it('records a stage once: a second create returns false and changes nothing', async () => {
        await store.createJob(jobRecord('j1'));
        expect(await store.createStage('j1', stageRecord(1))).toBe(true);
        expect(await store.createStage('j1', stageRecord(1, { outputAssetId: 'other' }))).toBe(false);
        const [stage] = await store.listStages('j1');
        expect(stage?.outputAssetId).toBe('out-1');
      });

      it('round-trips a stage, Dates as Dates', async () => {
        await store.createJob(jobRecord('j1'));
        const stage = stageRecord(1, {
          referenceAssetIds: ['r1', 'r2'],
          usage: { promptTokens: 10 },
          details: { finishReason: 'STOP', nested: { at: 'x' } },
          costUsd: 0.039,
        });
        await store.createStage('j1', stage);
        const [read] = await store.listStages('j1');
        expect(read).toEqual(stage);
        expect(read?.finishedAt).toBeInstanceOf(Date);
      });

      it('lists stages by index, numerically, per job', async () => {
        await store.createJob(jobRecord('j1'));
        await store.createJob(jobRecord('j2'));
        for (const index of [10, 2, 1, 3]) await store.createStage('j1', stageRecord(index));
        await store.createStage('j2', stageRecord(5));
        expect((await store.listStages('j1')).map((s) => s.index)).toEqual([1, 2, 3, 10]);
        expect((await store.listStages('j2')).map((s) => s.index)).toEqual([5]);
        expect(await store.listStages('none')).toEqual([]);
      });
    });

    describe('assets', () => {
      it('returns undefined for a missing asset', async () => {
        expect(await store.getAsset('missing')).toBeUndefined();
      });

      it('round-trips an asset, Dates as Dates', async () => {
        const asset = assetRecord('a1', {
          derivedFrom: ['src'],
          producedBy: { jobId: 'j1', stage: 1, role: 'stage' },
        });
        await store.putAsset(asset);
        const read = await store.getAsset('a1');
        expect(read).toEqual(asset);
        expect(read?.createdAt).toBeInstanceOf(Date);
      });

      it('merges derivedFrom into an existing asset and keeps the rest', async () => {
        await store.putAsset(
          assetRecord('a1', { derivedFrom: ['x'], producedBy: { jobId: 'j1', stage: 1, role: 'stage' } }),
        );
        await store.putAsset(
          assetRecord('a1', {
            derivedFrom: ['x', 'y'],
            producedBy: { jobId: 'j2', stage: 2, role: 'stage' },
            location: { bucket: 'other', name: 'other.png' },
          }),
        );
        await store.putAsset(assetRecord('a1', { derivedFrom: [] }));
        const asset = await store.getAsset('a1');
        expect(asset?.derivedFrom).toEqual(['x', 'y']);
        expect(asset?.producedBy).toEqual({ jobId: 'j1', stage: 1, role: 'stage' });
        expect(asset?.location).toEqual({ bucket: 'results', name: 'a1.png' });
      });

      it('adds derivedFrom to an asset first recorded without sources', async () => {
        await store.putAsset(assetRecord('a1'));
        await store.putAsset(assetRecord('a1', { derivedFrom: ['z'] }));
        expect((await store.getAsset('a1'))?.derivedFrom).toEqual(['z']);
      });
    });

    describe('stage cache', () => {
      it('keeps the first entry for a key', async () => {
        expect(await store.getCachedStage('k1')).toBeUndefined();
        await store.putCachedStage(cachedStage('k1', 'j1'));
        await store.putCachedStage(cachedStage('k1', 'j2'));
        const entry = await store.getCachedStage('k1');
        expect(entry).toEqual(cachedStage('k1', 'j1'));
        expect(entry?.createdAt).toBeInstanceOf(Date);
      });
    });
  });
}
