import { describe, expect, it } from 'vitest';
import { pollBatches } from '../../../shared/batch/poll.js';
import { submitBatches } from '../../../shared/batch/submit.js';
import type { Dispatcher, StageTask } from '../../../shared/dispatch/dispatcher.js';
import { resumeStageTask } from '../../../shared/pipeline/resume-task.js';
import { BATCH_PROMPT, type BatchHarness, useBatchWorld } from './batch-harness.js';

/** A tasks-mode Dispatcher that keeps what it is asked to queue (the port, not a mock of Cloud Tasks). */
function recordingDispatcher(): Dispatcher & { queued: { task: StageTask; queue: string }[] } {
  const queued: { task: StageTask; queue: string }[] = [];
  return {
    mode: 'tasks',
    queued,
    queueFor: ({ engine, model }) => `queues/${engine}-${model}`,
    async enqueue(task, queue) {
      queued.push({ task, queue });
      return 'created';
    },
  };
}

describe('a job answered by a batch continues through the dispatcher when one is configured', () => {
  const world = useBatchWorld();
  const { clock } = world;
  let b: BatchHarness;

  it("queues the waiting stage on its model's queue, under a fresh task name, and the worker finishes the job", async () => {
    b = await world.open();
    const job = await b.dropWaiting('queued', {
      stages: [
        { name: 'scene', prompt: BATCH_PROMPT, seed: 9 },
        { name: 'grade', engine: 'local', prompt: 'make it warmer' },
      ],
    });
    const parked = await b.h.lineage.getJob(job);
    const dispatcher = recordingDispatcher();
    const deps = { ...b.deps, dispatcher };
    await submitBatches(deps, { force: true });
    clock.t += 200_000;
    const polled = await pollBatches(deps);
    expect(polled.resumed).toEqual([
      { kind: 'queued', jobId: job, stage: 1, queue: 'queues/gemini-gemini-3.1-flash-image' },
    ]);
    // The next attempt number: never the name of the hand-off that brought the job to stage 1.
    expect(dispatcher.queued).toEqual([
      {
        task: { jobId: job, stage: 1, attempt: (parked?.attempt ?? 0) + 1 },
        queue: 'queues/gemini-gemini-3.1-flash-image',
      },
    ]);
    expect((await b.h.lineage.getJob(job))?.status).toBe('running');

    // The runStage worker takes the task (the worker side of tasks mode, in this process).
    const first = await resumeStageTask(deps, { jobId: job, stage: 1 });
    // Stage 2 runs on another queue: the worker records stage 1 and hands stage 2 on.
    expect(first).toMatchObject({ kind: 'dispatched', stage: 2, queue: 'queues/local-darkroom-local-2' });
    const second = await resumeStageTask(deps, { jobId: job, stage: 2 });
    expect(second.kind).toBe('succeeded');
    const stages = await b.h.lineage.listStages(job);
    expect(stages.map((s) => [s.name, s.engine, s.details?.lane])).toEqual([
      ['scene', 'gemini', 'batch'],
      ['grade', 'local', undefined],
    ]);
  });
});
