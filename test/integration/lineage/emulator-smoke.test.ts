import { describe, expect, it } from 'vitest';
import { testFirestore } from '../../support/firestore.js';

describe('firestore emulator', () => {
  it('create() fails with ALREADY_EXISTS on an existing document', async () => {
    const db = testFirestore();
    const ref = db.collection('jobs').doc('j1');
    await ref.create({ a: 1, at: new Date() });
    await expect(ref.create({ a: 2 })).rejects.toMatchObject({ code: 6 });
    const snap = await ref.get();
    expect(snap.data()?.a).toBe(1);
    const q = await db.collection('jobs').where('a', '==', 1).orderBy('at', 'desc').limit(5).get();
    expect(q.size).toBe(1);
    await db.terminate();
  });
});
