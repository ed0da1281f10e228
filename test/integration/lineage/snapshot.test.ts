import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Timestamp } from '@google-cloud/firestore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFirestoreLineageStore } from '../../../shared/lineage/firestore-lineage-store.js';
import { loadSnapshot, saveSnapshot } from '../../../shared/lineage/snapshot.js';
import { testFirestore } from '../../support/firestore.js';
import { assetRecord, jobRecord, stageRecord } from '../../support/lineage-store-contract.js';

describe('saveSnapshot and loadSnapshot', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'darkroom-snapshot-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips jobs, stages, attempts and assets into a fresh database, Timestamps back as Dates', async () => {
    const source = testFirestore();
    const target = testFirestore();
    try {
      const before = createFirestoreLineageStore({ firestore: source });
      const job = jobRecord('j1', { status: 'succeeded', finishedAt: new Date('2026-03-01T12:01:00.000Z') });
      await before.createJob(job);
      await before.createJob(jobRecord('j2', { createdAt: new Date('2026-03-02T00:00:00.000Z') }));
      await before.createStage('j1', stageRecord(1));
      await before.createStage('j1', stageRecord(2, { inputAssetId: 'out-1' }));
      await before.createAttempt('j1', {
        attempt: 1,
        owner: 'a',
        startedAt: new Date('2026-03-01T12:00:00.000Z'),
      });
      await before.putAsset(
        assetRecord('a1', { derivedFrom: ['src'], producedBy: { jobId: 'j1', role: 'final' } }),
      );

      const file = join(dir, 'nested', 'lineage.json');
      expect(await saveSnapshot(source, file)).toBe(6);
      expect(await loadSnapshot(target, file)).toBe(6);

      const after = createFirestoreLineageStore({ firestore: target });
      const restored = await after.getJob('j1');
      expect(restored).toEqual(job);
      expect(restored?.finishedAt).toBeInstanceOf(Date);
      expect(await after.listStages('j1')).toEqual([
        stageRecord(1),
        stageRecord(2, { inputAssetId: 'out-1' }),
      ]);
      expect(await after.getAsset('a1')).toEqual(
        assetRecord('a1', { derivedFrom: ['src'], producedBy: { jobId: 'j1', role: 'final' } }),
      );
      expect((await after.listJobs()).map((j) => j.id)).toEqual(['j2', 'j1']);
      const attempt = await target.doc('jobs/j1/attempts/1').get();
      expect(attempt.get('startedAt')).toBeInstanceOf(Timestamp);
      // Create-only semantics hold on the restored data.
      expect(await after.createJob(jobRecord('j1'))).toBe(false);
      expect(await after.createAttempt('j1', { attempt: 1, owner: 'b', startedAt: new Date() })).toBe(false);
    } finally {
      await source.terminate();
      await target.terminate();
    }
  });

  it('writes readable JSON atomically, without a temporary file left behind', async () => {
    const firestore = testFirestore();
    try {
      await createFirestoreLineageStore({ firestore }).createJob(jobRecord('j1'));
      const file = join(dir, 'lineage.json');
      await saveSnapshot(firestore, file);
      expect(await readdir(dir)).toEqual(['lineage.json']);
      const saved = JSON.parse(await readFile(file, 'utf8'));
      expect(saved.version).toBe(1);
      expect(saved.docs).toHaveLength(1);
      expect(saved.docs[0].path).toBe('jobs/j1');
      expect(saved.docs[0].data.createdAt).toEqual({ __timestamp: '2026-03-01T12:00:00.000Z' });
    } finally {
      await firestore.terminate();
    }
  });

  it('loads nothing when there is no snapshot yet', async () => {
    const firestore = testFirestore();
    try {
      expect(await loadSnapshot(firestore, join(dir, 'missing.json'))).toBe(0);
      expect((await firestore.collection('jobs').get()).size).toBe(0);
    } finally {
      await firestore.terminate();
    }
  });

  it('saves an empty database as an empty snapshot', async () => {
    const firestore = testFirestore();
    try {
      const file = join(dir, 'lineage.json');
      expect(await saveSnapshot(firestore, file)).toBe(0);
      expect(JSON.parse(await readFile(file, 'utf8')).docs).toEqual([]);
    } finally {
      await firestore.terminate();
    }
  });
});
