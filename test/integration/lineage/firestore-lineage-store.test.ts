import { describe, expect, it } from 'vitest';
import { createFirestoreLineageStore, stageDocId } from '../../../shared/lineage/firestore-lineage-store.js';
import { testFirestore } from '../../support/firestore.js';
import { jobRecord, stageRecord, testLineageStore } from '../../support/lineage-store-contract.js';

testLineageStore('firestore (emulator)', () => {
  const firestore = testFirestore();
  return { store: createFirestoreLineageStore({ firestore }), close: () => firestore.terminate() };
});

testLineageStore('firestore with a collection prefix', () => {
  const firestore = testFirestore();
  return {
    store: createFirestoreLineageStore({ firestore, prefix: 'test_' }),
    close: () => firestore.terminate(),
  };
});

describe('createFirestoreLineageStore', () => {
  it('lays documents out as jobs/{id}, jobs/{id}/stages/{NN}, jobs/{id}/attempts/{n}, assets/{sha}', async () => {
    const firestore = testFirestore();
    try {
      const store = createFirestoreLineageStore({ firestore });
      await store.createJob(jobRecord('j1'));
      await store.createStage('j1', stageRecord(3));
      await store.createAttempt('j1', { attempt: 2, owner: 'a', startedAt: new Date() });
      await store.putAsset({
        id: 'abc',
        location: { bucket: 'b', name: 'n' },
        mimeType: 'image/png',
        bytes: 1,
        derivedFrom: [],
        createdAt: new Date(),
      });
      const job = await firestore.doc('jobs/j1').get();
      expect(job.get('sourceKey')).toBe('drop/a/photo.jpg');
      expect(job.get('createdAt').constructor.name).toBe('Timestamp');
      expect((await firestore.doc('jobs/j1/stages/03').get()).get('index')).toBe(3);
      expect((await firestore.doc('jobs/j1/attempts/2').get()).get('owner')).toBe('a');
      expect((await firestore.doc('assets/abc').get()).exists).toBe(true);
    } finally {
      await firestore.terminate();
    }
  });

  it('keeps prefixed stores apart', async () => {
    const firestore = testFirestore();
    try {
      const a = createFirestoreLineageStore({ firestore, prefix: 'a_' });
      const b = createFirestoreLineageStore({ firestore, prefix: 'b_' });
      expect(await a.createJob(jobRecord('j1'))).toBe(true);
      expect(await b.createJob(jobRecord('j1'))).toBe(true);
      expect((await firestore.doc('a_jobs/j1').get()).exists).toBe(true);
      expect(await b.listJobs()).toHaveLength(1);
    } finally {
      await firestore.terminate();
    }
  });
});

describe('createFirestoreLineageStore reads through its record schemas', () => {
  it('names the document and the field of a job written by hand with a wrong type', async () => {
    const firestore = testFirestore();
    try {
      const store = createFirestoreLineageStore({ firestore, prefix: 'hand_' });
      await firestore.doc('hand_jobs/j1').set({ ...jobRecord('j1'), attempt: 'two' });
      await expect(store.getJob('j1')).rejects.toMatchObject({
        code: 'LINEAGE_RECORD_INVALID',
        details: { document: 'hand_jobs/j1' },
      });
      await expect(store.getJob('j1')).rejects.toThrow(/hand_jobs\/j1 does not match .*attempt: /);
    } finally {
      await firestore.terminate();
    }
  });

  it('refuses a stage, an asset and a cache entry that miss required fields', async () => {
    const firestore = testFirestore();
    try {
      const store = createFirestoreLineageStore({ firestore, prefix: 'hand2_' });
      const { outputAssetId: _dropped, ...stage } = stageRecord(1);
      await firestore.doc('hand2_jobs/j1/stages/01').set(stage);
      await firestore.doc('hand2_assets/a1').set({ id: 'a1', bytes: 1 });
      await firestore.doc('hand2_stageCache/k1').set({ key: 'k1' });
      await expect(store.listStages('j1')).rejects.toThrow(/hand2_jobs\/j1\/stages\/01 .*outputAssetId/);
      await expect(store.getAsset('a1')).rejects.toThrow(/hand2_assets\/a1 .*location/);
      await expect(store.getCachedStage('k1')).rejects.toThrow(/hand2_stageCache\/k1 /);
    } finally {
      await firestore.terminate();
    }
  });

  it('drops fields it does not know and keeps Timestamps as Dates', async () => {
    const firestore = testFirestore();
    try {
      const store = createFirestoreLineageStore({ firestore, prefix: 'hand3_' });
      await store.createJob(jobRecord('j1'));
      await firestore.doc('hand3_jobs/j1').set({ legacyField: 1 }, { merge: true });
      const job = await store.getJob('j1');
      expect(job).toEqual(jobRecord('j1'));
      expect(job?.createdAt).toBeInstanceOf(Date);
    } finally {
      await firestore.terminate();
    }
  });
});

describe('stageDocId', () => {
  it.each([
    [1, '01'],
    [9, '09'],
    [10, '10'],
  ])('%i → %s', (index, expected) => {
    expect(stageDocId(index)).toBe(expected);
  });
});
