import type { Firestore } from '@google-cloud/firestore';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchStore } from '../../../shared/batch/batch-store.js';
import { createFirestoreBatchStore } from '../../../shared/batch/firestore-batch-store.js';
import { createMemoryBatchStore } from '../../../shared/batch/memory-batch-store.js';
import type { BatchMember, BatchRecord } from '../../../shared/batch/records.js';
import { testFirestore } from '../../support/firestore.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function member(key: string, overrides: Partial<BatchMember> = {}): BatchMember {
  return {
    key,
    jobId: 'j1',
    stage: 1,
    variant: 1,
    engine: 'gemini',
    model: 'gemini-2.5-flash-image',
    state: 'waiting',
    request: { bucket: 'results', name: `a/${key}.request.json` },
    bytes: 1234,
    waitingSince: new Date(T0),
    round: 0,
    updatedAt: new Date(T0),
    ...overrides,
  };
}

function batch(id: string): BatchRecord {
  return {
    id,
    model: 'gemini-2.5-flash-image',
    state: 'submitting',
    keys: ['k1'],
    rounds: { k1: 0 },
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
  };
}

interface Fixture {
  store: BatchStore;
  firestore?: Firestore;
}

const stores: [string, () => Fixture][] = [
  ['memory', () => ({ store: createMemoryBatchStore() })],
  [
    'firestore (emulator)',
    () => {
      const firestore = testFirestore();
      return { store: createFirestoreBatchStore({ firestore }), firestore };
    },
  ],
];

describe.each(stores)('BatchStore records: %s', (_name, factory) => {
  let fixture: Fixture;
  afterEach(async () => {
    await fixture?.firestore?.terminate();
  });

  it('round-trips a member, a batch and a membership, Dates as Dates', async () => {
    fixture = factory();
    const { store } = fixture;
    await store.createMember(member('k1', { details: { seed: 7 } }));
    await store.createBatch(batch('b1'));
    const claimed = await store.claimMembership({
      key: 'k1',
      round: 0,
      batchId: 'b1',
      createdAt: new Date(T0),
    });
    expect(await store.getMember('k1')).toEqual(member('k1', { details: { seed: 7 } }));
    expect((await store.getBatch('b1'))?.createdAt).toBeInstanceOf(Date);
    expect(await store.listBatches({ states: ['submitting'] })).toEqual([batch('b1')]);
    expect(await store.claimMembership({ ...claimed, batchId: 'b2' })).toEqual(claimed);
  });

  it('reads a field patched to null as absent', async () => {
    fixture = factory();
    const { store } = fixture;
    await store.createMember(member('k1', { batchId: 'b1', error: { code: 'X', message: 'y' } }));
    await store.updateMember('k1', { batchId: null, error: null, state: 'waiting' });
    const read = await store.getMember('k1');
    expect(read).toEqual(member('k1'));
    expect(await store.listMembers({ state: 'waiting' })).toEqual([member('k1')]);
  });

  it('refuses a member a patch left without a required field, naming the document', async () => {
    fixture = factory();
    const { store } = fixture;
    await store.createMember(member('k1'));
    await store.updateMember('k1', { request: null } as unknown as Partial<BatchMember>);
    await expect(store.getMember('k1')).rejects.toMatchObject({ code: 'LINEAGE_RECORD_INVALID' });
    await expect(store.getMember('k1')).rejects.toThrow(/batchStages\/k1 does not match .*request: /);
  });
});
