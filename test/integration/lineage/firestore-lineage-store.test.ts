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

describe('stageDocId', () => {
  it.each([
    [1, '01'],
    [9, '09'],
    [10, '10'],
  ])('%i → %s', (index, expected) => {
    expect(stageDocId(index)).toBe(expected);
  });
});
