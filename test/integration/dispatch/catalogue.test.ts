import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flatImage,
  GEMINI_EDIT,
  GEMINI_QUEUE,
  QUEUE_RETRY,
  startTasksHarness,
  type TasksHarness,
} from './tasks-harness.js';

/** The Gemini quota of the run, per minute of the scaled clock. */
const QUOTA_PER_MINUTE = 120;
const UPLOADS = Number(process.env.CATALOGUE_UPLOADS ?? 200);
// A generous limit, not a timing assertion: on a loaded machine the run is CPU-bound (about
// 0.3 s of CPU per job), which only slows the dispatch below the quota; the outcome is the same.
const LIMIT_MS = 900_000;

describe('a catalogue drop in tasks mode (scaled clock)', () => {
  let h: TasksHarness;
  beforeAll(async () => {
    h = await startTasksHarness({
      scale: 4,
      queues: {
        // The operator's sizing rule (README "Scaling"): 0.8 × quota per minute / 60.
        [GEMINI_QUEUE]: {
          maxDispatchesPerSecond: (0.8 * QUOTA_PER_MINUTE) / 60,
          maxConcurrentDispatches: 20,
          ...QUEUE_RETRY,
        },
      },
      env: { MAX_ATTEMPTS: '3', LOG_LEVEL: 'warn' },
    });
    h.gemini.setQuota({ perMinute: QUOTA_PER_MINUTE });
  });
  afterAll(() => h.close());

  it(
    `${UPLOADS} uploads at once against a per-minute quota: every job succeeds, about one model call per stage`,
    async () => {
      h.fn.upload('drop/_recipe.json', JSON.stringify(GEMINI_EDIT));
      const refs = [];
      for (let i = 0; i < UPLOADS; i++) refs.push(h.fn.upload(`drop/p${i}.png`, await flatImage(i)));
      const replies = await Promise.all(refs.map((r) => h.fn.send(r)));
      // The event side only claims, plans and queues: each event is acknowledged at once.
      expect(replies.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
      await h.tasks.drained();

      const jobs = refs.flatMap((r) => h.fn.jobsOf(`drop/${r.name.slice(5, -4)}`));
      expect(jobs).toHaveLength(UPLOADS);
      const records = await Promise.all(jobs.map((j) => h.fn.job(j.jobId)));
      expect(records.map((r) => r?.status).filter((s) => s !== 'succeeded')).toEqual([]);
      expect(records.filter((r) => r?.error?.code === 'ATTEMPTS_EXHAUSTED')).toEqual([]);
      const calls = h.gemini.calls.length;
      const quotaReplies = h.gemini.calls.filter((c) => c.reply === 'quota').length;
      expect(calls / UPLOADS).toBeLessThanOrEqual(1.05);
      // No invocation waited on the quota: every 429 of the model went straight back to the queue.
      expect(h.tasks.dispatches.filter((d) => d.result === 429)).toHaveLength(quotaReplies);
      expect(h.tasks.abandoned).toEqual([]);
    },
    LIMIT_MS,
  );
});
