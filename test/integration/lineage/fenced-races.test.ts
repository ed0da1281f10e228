/**
 * Concurrent fenced writes on Firestore: a takeover racing a finalize, a renewal or other
 * takeovers. Exactly one may win, and the job must end in the state of the winner.
 *
 * These need real transaction isolation, so they run only against Google's Firestore
 * emulator (CI: `.ci/run` sets DARKROOM_TEST_FIRESTORE=google). On the in-process emulator
 * (`@firestore-emulator/server`) transactions are not isolated: both sides of a
 * finalize/takeover race commit, and these tests fail there — that is the emulator's gap,
 * not a property of Firestore.
 */
import type { Firestore } from '@google-cloud/firestore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFirestoreLineageStore } from '../../../shared/lineage/firestore-lineage-store.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import { testFirestore } from '../../support/firestore.js';
import { jobRecord } from '../../support/lineage-store-contract.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const ROUNDS = 3;

const takeover = (store: LineageStore, id: string, owner: string) =>
  store.updateJobIfCurrent(id, {
    fence: { attempt: 1, leaseExpiredBy: at(700) },
    newAttempt: { attempt: 2, owner, startedAt: at(700) },
    patch: { attempt: 2, owner, leaseExpiresAt: at(1300), updatedAt: at(700) },
  });

describe.runIf(process.env.DARKROOM_TEST_FIRESTORE === 'google')(
  "fenced job writes under concurrency (Google's Firestore emulator)",
  () => {
    let firestore: Firestore;
    let store: LineageStore;
    beforeEach(() => {
      firestore = testFirestore();
      store = createFirestoreLineageStore({ firestore });
    });
    afterEach(async () => {
      await firestore.terminate();
    });

    const attemptIds = async (id: string) =>
      (await firestore.collection(`jobs/${id}/attempts`).get()).docs.map((d) => d.id);

    it('a finalize and a takeover of the same attempt: exactly one commits', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = `race-${round}`;
        await store.createJob(jobRecord(id, { leaseExpiresAt: at(600) }));
        const [finished, took] = await Promise.all([
          store.updateJobIfCurrent(id, {
            fence: { attempt: 1 },
            patch: { status: 'succeeded', finishedAt: at(700), updatedAt: at(700) },
          }),
          takeover(store, id, 'instance-b'),
        ]);
        expect([finished, took].filter(Boolean)).toHaveLength(1);
        const job = await store.getJob(id);
        if (finished) {
          expect(job).toMatchObject({ status: 'succeeded', attempt: 1, owner: 'host:1' });
          expect(await attemptIds(id)).toEqual([]);
        } else {
          expect(job).toMatchObject({ status: 'running', attempt: 2, owner: 'instance-b' });
          expect(await attemptIds(id)).toEqual(['2']);
        }
      }
    });

    it('a renewal and a takeover: the superseded attempt never extends its successor’s lease', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = `renew-${round}`;
        await store.createJob(jobRecord(id, { leaseExpiresAt: at(600) }));
        const [renewed, took] = await Promise.all([
          store.updateJobIfCurrent(id, {
            fence: { attempt: 1 },
            patch: { leaseExpiresAt: at(5000), updatedAt: at(700) },
          }),
          takeover(store, id, 'instance-b'),
        ]);
        const job = await store.getJob(id);
        if (took) expect(job).toMatchObject({ attempt: 2, leaseExpiresAt: at(1300) });
        else expect(job).toMatchObject({ attempt: 1, leaseExpiresAt: at(5000) });
        // A renewal that ran first pushes the lease out, so the takeover finds it live.
        expect(renewed !== took).toBe(true);
      }
    });

    it('three takeovers of the same expired attempt: exactly one becomes attempt 2', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = `three-${round}`;
        await store.createJob(jobRecord(id, { leaseExpiresAt: at(600) }));
        const owners = ['b', 'c', 'd'];
        const results = await Promise.all(owners.map((o) => takeover(store, id, o)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = owners[results.indexOf(true)];
        expect(await store.getJob(id)).toMatchObject({ attempt: 2, owner: winner });
        expect(await attemptIds(id)).toEqual(['2']);
        const attempt = await firestore.doc(`jobs/${id}/attempts/2`).get();
        expect(attempt.get('owner')).toBe(winner);
      }
    });
  },
);
