import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../shared/errors.js';
import { createFirestoreLineageStore } from '../../../shared/lineage/firestore-lineage-store.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { testFirestore } from '../../support/firestore.js';

/** `{ a: { a: … } }`, `levels` maps deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const job = (id: string): JobRecord => ({
  id,
  status: 'running',
  inputs: { request: { bucket: 'b', name: 'r.json', generation: '1' }, requestKind: 'sidecar' },
  sourceKey: 'b/r.json',
  results: { bucket: 'results', prefix: `r/${id}/` },
  labels: {},
  attempt: 1,
  owner: 'test',
  leaseExpiresAt: new Date(0),
  createdAt: new Date(0),
  updatedAt: new Date(0),
  warnings: [],
});

describe('writes Firestore can never accept', () => {
  let firestore: Firestore;
  let lineage: LineageStore;
  beforeAll(() => {
    firestore = testFirestore();
    lineage = createFirestoreLineageStore({ firestore });
  });
  afterAll(async () => {
    await firestore.terminate();
  });

  it('are PermanentError LINEAGE_REJECTED, not an unexpected (retried) error', async () => {
    await lineage.createJob(job('deep'));
    const error = await lineage.updateJob('deep', { request: nested(25) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'LINEAGE_REJECTED' });
    expect((error as Error).message).toMatch(/^Firestore refused the write of jobs\/deep: .*20 levels/);
    const created = await lineage
      .createJob({ ...job('deep-create'), request: nested(25) })
      .catch((e: unknown) => e);
    expect(created).toMatchObject({ code: 'LINEAGE_REJECTED' });
  });

  it('leave a write Firestore accepts as it was', async () => {
    await lineage.createJob(job('fine'));
    await lineage.updateJob('fine', { request: nested(10) });
    expect((await lineage.getJob('fine'))?.request).toEqual(nested(10));
  });
});
