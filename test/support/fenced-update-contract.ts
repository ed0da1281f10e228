/**
 * The fenced-write part of the LineageStore contract (`updateJobIfCurrent`): sequential
 * cases that every adapter must pass. Concurrent cases, which need real transaction
 * isolation, live in `test/integration/lineage/fenced-races.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { LineageStore } from '../../shared/lineage/lineage-store.js';
import { jobRecord } from './lineage-records.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** Registers the fenced-write cases; `store()` is the store of the current test. */
export function fencedUpdateCases(store: () => LineageStore): void {
  describe('fenced updates', () => {
    it('writes while the attempt is current and the job running', async () => {
      await store().createJob(jobRecord('j1', { attempt: 2 }));
      const ok = await store().updateJobIfCurrent('j1', {
        fence: { attempt: 2 },
        patch: { leaseExpiresAt: at(900), updatedAt: at(300) },
      });
      expect(ok).toBe(true);
      expect(await store().getJob('j1')).toEqual(
        jobRecord('j1', { attempt: 2, leaseExpiresAt: at(900), updatedAt: at(300) }),
      );
    });

    it.each([
      ['another attempt', jobRecord('j1', { attempt: 3 })],
      ['a finished job', jobRecord('j1', { attempt: 2, status: 'succeeded' })],
    ])('refuses %s and writes nothing', async (_what, job) => {
      await store().createJob(job);
      const ok = await store().updateJobIfCurrent('j1', {
        fence: { attempt: 2 },
        patch: { status: 'failed', updatedAt: at(300) },
      });
      expect(ok).toBe(false);
      expect(await store().getJob('j1')).toEqual(job);
    });

    it('refuses a missing job and creates none', async () => {
      const ok = await store().updateJobIfCurrent('nope', { fence: { attempt: 1 }, patch: { attempt: 2 } });
      expect(ok).toBe(false);
      expect(await store().getJob('nope')).toBeUndefined();
    });

    it('takes over only once the lease has run out, creating the next attempt with it', async () => {
      await store().createJob(jobRecord('j1', { leaseExpiresAt: at(600) }));
      const takeover = (now: Date) =>
        store().updateJobIfCurrent('j1', {
          fence: { attempt: 1, leaseExpiredBy: now },
          newAttempt: { attempt: 2, owner: 'b', startedAt: now },
          patch: { attempt: 2, owner: 'b', leaseExpiresAt: at(1200), updatedAt: now },
        });
      expect(await takeover(at(599))).toBe(false);
      expect(await store().createAttempt('j1', { attempt: 2, owner: 'probe', startedAt: at(0) })).toBe(true);
      expect(await takeover(at(600))).toBe(false);
      expect((await store().getJob('j1'))?.attempt).toBe(1);
    });

    it('moves the job and creates the attempt in one step', async () => {
      await store().createJob(jobRecord('j1', { leaseExpiresAt: at(600) }));
      const ok = await store().updateJobIfCurrent('j1', {
        fence: { attempt: 1, leaseExpiredBy: at(601) },
        newAttempt: { attempt: 2, owner: 'b', startedAt: at(601) },
        patch: { attempt: 2, owner: 'b', leaseExpiresAt: at(1200), updatedAt: at(601) },
      });
      expect(ok).toBe(true);
      expect(await store().getJob('j1')).toMatchObject({ attempt: 2, owner: 'b', leaseExpiresAt: at(1200) });
      expect(await store().createAttempt('j1', { attempt: 2, owner: 'c', startedAt: at(602) })).toBe(false);
    });
  });
}
