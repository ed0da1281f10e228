import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../shared/pipeline/index.js';
import { expectOutcome } from '../../support/pipeline-harness.js';
import { outcomeOf, spawnWorker } from '../../support/worker-process.js';
import { createDeliveryWorld, type DeliveryWorld } from './delivery-harness.js';

/** The files one succeeded two-stage job leaves under its prefix. */
const JOB_FILES = ['final.jpg', 'manifest.json', 'stages/01-light.jpg', 'stages/02-finish.jpg'];

let w: DeliveryWorld;
beforeEach(async () => {
  w = await createDeliveryWorld();
});
afterEach(async () => {
  await w.close();
});

/** Checks that exactly one job ran, once, and left one set of outputs. */
async function expectOneJob(outcomes: Outcome[], folder: string) {
  const kinds = outcomes.map((o) => o.kind);
  expect(kinds.filter((k) => k === 'succeeded')).toHaveLength(1);
  for (const kind of kinds) expect(['succeeded', 'busy', 'duplicate']).toContain(kind);
  const ids = new Set(outcomes.map((o) => ('jobId' in o ? o.jobId : undefined)));
  expect(ids.size).toBe(1);
  const jobId = [...ids][0] ?? '';
  expect(w.calls()).toEqual({ light: 1, finish: 1 });
  const files = await w.results(`${folder}/`);
  expect(files).toEqual(JOB_FILES.map((f) => `${folder}/cat/${jobId}/${f}`));
  const job = await w.h.lineage.getJob(jobId);
  expect(job).toMatchObject({ status: 'succeeded', attempt: 1 });
  expect((await w.h.lineage.listStages(jobId)).map((s) => [s.name, s.attempt])).toEqual([
    ['light', 1],
    ['finish', 1],
  ]);
  return jobId;
}

describe('duplicate deliveries', () => {
  it('runs each stage once when the image and sidecar events are delivered again and again, in sequence', async () => {
    await w.dropJob('seq');
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await w.h.arrive('seq/cat.jpg'));
      outcomes.push(await w.h.arrive('seq/cat.json'));
    }
    expect(outcomes[0]?.kind).toBe('succeeded');
    expect(outcomes.slice(1).map((o) => o.kind)).toEqual(Array(5).fill('duplicate'));
    await expectOneJob(outcomes, 'seq');
  });

  it('runs each stage once when eight deliveries arrive at the same time in one process', async () => {
    await w.dropJob('burst');
    const names = ['burst/cat.jpg', 'burst/cat.json'];
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => w.h.arrive(names[i % 2] as string)),
    );
    // The losers saw a live lease (busy: the platform redelivers) or the finished job.
    expect(outcomes.some((o) => o.kind === 'busy')).toBe(true);
    const jobId = await expectOneJob(outcomes, 'burst');
    // A redelivery of a busy event finds the job finished and acknowledges.
    expect(expectOutcome(await w.h.arrive('burst/cat.json'), 'duplicate')).toMatchObject({
      jobId,
      status: 'succeeded',
    });
  });

  it('runs each stage once when three worker processes deliver the same event at once', async () => {
    await w.dropJob('procs');
    const jobs = await Promise.all([1, 2, 3].map(() => w.workerJob('procs/cat.json')));
    const workers = jobs.map((job) => spawnWorker(job));
    const outcomes = await Promise.all(workers.map(outcomeOf));
    await expectOneJob(outcomes, 'procs');
    const job = await w.h.lineage.getJob(outcomes.find((o) => o.kind === 'succeeded')?.jobId ?? '');
    expect(jobs.map((j) => j.owner)).toContain(job?.owner);
  });
});
