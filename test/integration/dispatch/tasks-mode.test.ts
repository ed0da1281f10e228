import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskIdFor } from '../../../shared/dispatch/dispatcher.js';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';
import { fault } from '../../support/gemini-server.js';
import {
  DEFAULT_QUEUE,
  flatImage,
  GEMINI_EDIT,
  GEMINI_QUEUE,
  INVOKER,
  QUEUE_RETRY,
  REPLICATE_QUEUE,
  startTasksHarness,
  type TasksHarness,
} from './tasks-harness.js';

const FUSE_PROMPT =
  'Place the product from image 1 on the table from image 2, matching the natural lighting direction of the room. ' +
  'Keep the product, its label and its proportions exactly as they are, and keep the table and the window unchanged. ' +
  'Style: warm editorial photography with soft shadows and true colours, no added text or objects.';

describe('tasks mode: duplicates, "not now", two queues, the worker gate', () => {
  let h: TasksHarness;
  beforeAll(async () => {
    const queue = { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 10, ...QUEUE_RETRY };
    h = await startTasksHarness({
      scale: 20,
      // Every dispatch is made twice at once: at-least-once delivery at its worst.
      duplicates: { rate: 1, seed: 17 },
      queues: { [GEMINI_QUEUE]: queue, [REPLICATE_QUEUE]: queue, [DEFAULT_QUEUE]: queue },
      env: { MAX_ATTEMPTS: '2', LOG_LEVEL: 'warn' },
    });
  });
  afterAll(() => h.close());

  const jobOf = (folder: string) => {
    const jobs = h.fn.jobsOf(`${folder}/item`);
    expect(jobs).toHaveLength(1);
    return jobs[0] as (typeof jobs)[number];
  };

  it('duplicated event deliveries and duplicated dispatches: one task, one engine call, one set of outputs', async () => {
    h.fn.upload('dup/_recipe.json', JSON.stringify(GEMINI_EDIT));
    const image = h.fn.upload('dup/item.png', await flatImage(1));
    const before = h.gemini.calls.length;
    // Held in the queue, so that every delivery reaches the hand-off.
    h.tasks.pauseQueue(GEMINI_QUEUE);
    const replies = [];
    try {
      for (let i = 0; i < 3; i++) replies.push((await h.fn.send(image)).status);
    } finally {
      h.tasks.resumeQueue(GEMINI_QUEUE);
    }
    expect(replies).toEqual([204, 204, 204]);
    const [record] = await h.fn.lineage.listJobs({ sourceKey: 'uploads/dup/item.png' });
    const jobId = record?.id ?? '';
    const name = `${GEMINI_QUEUE}/tasks/${taskIdFor({ jobId, stage: 1, attempt: 1 })}`;
    expect(h.tasks.creates.filter((c) => c.name === name).map((c) => c.answer)).toEqual([
      'created',
      'exists',
      'exists',
    ]);
    await h.tasks.drained();
    expect((await h.fn.send(image)).status).toBe(204);

    const { files } = jobOf('dup');
    const job = await h.fn.job(jobId);
    expect(job?.status).toBe('succeeded');
    // Three deliveries and two dispatches of the one task: one engine call, one counted attempt.
    expect(h.gemini.calls.length - before).toBe(1);
    expect((job?.attempt ?? 0) - (job?.freeAttempts ?? 0)).toBe(1);
    expect(h.tasks.dispatches.filter((d) => d.task === name).map((d) => d.duplicate)).toEqual(
      expect.arrayContaining([false, true]),
    );
    expect(await h.fn.lineage.listStages(jobId)).toHaveLength(1);
    expect([...files.keys()].filter((n) => n.endsWith('.png'))).toHaveLength(1);
  });

  it('a model "not now" goes back to the queue with Retry-After and costs no attempt (MAX_ATTEMPTS=2, three 429s)', async () => {
    h.fn.upload('busy/_recipe.json', JSON.stringify(GEMINI_EDIT));
    const image = h.fn.upload('busy/item.png', await flatImage(2));
    h.gemini.script(fault.rateLimited('20s'), fault.rateLimited('20s'), fault.rateLimited('20s'));
    const sent = h.tasks.dispatches.length;
    const calls = h.gemini.calls.length;
    expect((await h.fn.send(image)).status).toBe(204);
    await h.tasks.drained();

    const { jobId } = jobOf('busy');
    const job = await h.fn.job(jobId);
    expect(job?.status).toBe('succeeded');
    expect((job?.attempt ?? 0) - (job?.freeAttempts ?? 0)).toBe(1);
    // Every dispatch is made twice at once: of each pair, one copy runs the stage and the other
    // finds the job busy (503) or already done (200), in whichever order the two race.
    const answers = h.tasks.dispatches.slice(sent).map((d) => d.result);
    expect(answers.filter((r) => r === 429)).toHaveLength(3);
    expect(answers.filter((r) => r !== 429 && r !== 503 && r !== 200)).toEqual([]);
    expect(h.gemini.calls.length - calls).toBe(4);
  });

  it('a real failure keeps its code: the job fails with error.json and the task is done (200)', async () => {
    h.fn.upload('bad/_recipe.json', JSON.stringify(GEMINI_EDIT));
    const image = h.fn.upload('bad/item.png', await flatImage(4));
    h.gemini.script(fault.status(400, 'Request contains an invalid argument.'));
    const sent = h.tasks.dispatches.length;
    const calls = h.gemini.calls.length;
    expect((await h.fn.send(image)).status).toBe(204);
    await h.tasks.drained();

    const { jobId, files } = jobOf('bad');
    const job = await h.fn.job(jobId);
    expect(job?.status).toBe('failed');
    expect(job?.error?.code).toBe('ENGINE_REJECTED');
    expect(files.has('error.json')).toBe(true);
    // One model call; the task ends with 200 (a copy that raced it may have found the job busy).
    expect(h.gemini.calls.length - calls).toBe(1);
    const answers = h.tasks.dispatches.slice(sent).map((d) => d.result);
    expect(answers).toContain(200);
    expect(answers.filter((r) => r !== 200 && r !== 503)).toEqual([]);
  });

  it('a mixed-engine job (Replicate upscale → Gemini fusion) crosses two queues and succeeds', async () => {
    h.fn.upload('mixed/scene.png', await flatImage(40, 320));
    h.fn.upload(
      'mixed/item.json',
      JSON.stringify({
        version: 1,
        image: 'item.png',
        upscale: { minSourceSide: 256, factor: 2 },
        output: { formats: ['png'], compareSheet: false },
        stages: [{ name: 'fuse', engine: 'gemini', prompt: FUSE_PROMPT, references: ['scene.png'] }],
      }),
    );
    const image = h.fn.upload('mixed/item.png', await flatImage(3, 160));
    const sent = h.tasks.dispatches.length;
    const createdBefore = h.tasks.creates.length;
    expect((await h.fn.send(image)).status).toBe(204);
    await h.tasks.drained();

    const { jobId } = jobOf('mixed');
    expect((await h.fn.job(jobId))?.status).toBe('succeeded');
    const stages = await h.fn.lineage.listStages(jobId);
    expect(stages.map((s) => [s.index, s.name, s.engine])).toEqual([
      [1, 'upscale', 'replicate'],
      [2, 'fuse', 'gemini'],
    ]);
    // The stage tasks in the order they were created: the upscale's on the Replicate queue by the
    // event, then the fusion's on the Gemini queue by the worker that ran the upscale.
    const created = h.tasks.creates
      .slice(createdBefore)
      .filter((c) => c.answer === 'created')
      .map((c) => c.name.split('/tasks/')[0]);
    expect(created).toEqual([REPLICATE_QUEUE, GEMINI_QUEUE]);
    const ran = h.tasks.dispatches.slice(sent).filter((d) => d.result === 200);
    expect(new Set(ran.map((d) => d.queue))).toEqual(new Set([REPLICATE_QUEUE, GEMINI_QUEUE]));
  });

  it('the worker refuses a request without the invoker OIDC token (403) and a body that is not a task (400)', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(h.workerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const task = { jobId: 'nope', stage: 1, attempt: 1 };
    const token = (email: string, audience: string) =>
      `Bearer ${oidcToken({ email, audience, nowMs: Date.now() })}`;
    expect((await post({}, task)).status).toBe(403);
    expect(
      (await post({ authorization: token('someone@else.iam.gserviceaccount.com', h.workerUrl) }, task))
        .status,
    ).toBe(403);
    expect((await post({ authorization: token(INVOKER, 'https://elsewhere.run.app/') }, task)).status).toBe(
      403,
    );
    expect((await post({ authorization: token(INVOKER, h.workerUrl) }, { jobId: 'x' })).status).toBe(400);
    const missing = await post({ authorization: token(INVOKER, h.workerUrl) }, task);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toMatchObject({ outcome: 'ignored' });
  });
});
