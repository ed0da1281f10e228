import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storageObjectEventFactory } from '../../support/cloud-events.js';
import { fault } from '../../support/gemini-server.js';
import { expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;
let photo: Buffer;

beforeAll(async () => {
  // The function's own default engine (gemini) against the Gemini test server; two attempts per
  // call inside an invocation, so a persistent outage reaches the platform quickly.
  h = await startFunctionHarness({ DARKROOM_ENGINE: '', GEMINI_MAX_ATTEMPTS: '2' });
  photo = await smallPhoto();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.gemini.reset();
});

const twoStages = sidecar({
  stages: [
    { name: 'light', prompt: 'Warm the light to a late-afternoon glow; keep the cat unchanged.' },
    { name: 'finish', prompt: 'Add a gentle vignette around the edges of the frame.' },
  ],
});

/** The finalized event of the sidecar, which completes the pair. */
function pairEvent(folder: string) {
  h.upload(`${folder}/cat.jpg`, photo);
  const request = h.upload(`${folder}/cat.json`, twoStages);
  return storageObjectEventFactory({
    bucket: request.bucket,
    name: request.name,
    generation: request.generation,
    contentType: 'application/json',
  });
}

describe('processUpload with the gemini engine', () => {
  it('runs each stage once however often the same event is delivered', async () => {
    const event = pairEvent('dup');
    expect((await h.post(event)).status).toBe(204);
    const first = h.gcs.listObjects('results', 'dup/').map((o) => `${o.name}#${o.generation}`);
    expect((await h.post(event)).status).toBe(204);
    expect((await h.post(event, 'structured')).status).toBe(204);

    expect(h.gemini.calls.map((c) => c.reply)).toEqual(['ok', 'ok']);
    expect(h.gcs.listObjects('results', 'dup/').map((o) => `${o.name}#${o.generation}`)).toEqual(first);
    const { manifest } = await expectSucceededJob(h, 'dup/cat', storedOf('dup/cat.jpg'));
    expect(manifest).toMatchObject({
      stages: [
        { name: 'light', engine: 'gemini', model: 'gemini-3.1-flash-image' },
        { name: 'finish', engine: 'gemini', model: 'gemini-3.1-flash-image' },
      ],
    });
  });

  it('runs the job once when the same event arrives twice at the same time', async () => {
    const event = pairEvent('race');
    const replies = await Promise.all([h.post(event), h.post(event, 'structured')]);
    // The loser of the claim either sees the finished job (204) or a live lease (500, redeliver).
    expect(replies.map((r) => r.status)).toContain(204);
    for (const reply of replies.filter((r) => r.status !== 204)) {
      expect(reply.status).toBe(500);
      expect((await h.post(event)).status).toBe(204);
    }
    expect(h.gemini.calls).toHaveLength(2);
    await expectSucceededJob(h, 'race/cat', storedOf('race/cat.jpg'));
  });

  it('answers 500 while Gemini is down, then completes the job on redelivery', async () => {
    const event = pairEvent('outage');
    h.gemini.inject(fault.unavailable(), 50);
    const down = await h.post(event);
    expect(down.status).toBe(500);
    expect(down.body).toContain('ENGINE_UNAVAILABLE');
    expect(h.gemini.calls.map((c) => c.status)).toEqual([503, 503]);
    expect(h.jobsOf('outage/cat').flatMap((j) => [...j.files.keys()])).toEqual([]);
    const jobs = await h.lineage.listJobs({ sourceKey: 'uploads/outage/cat.jpg' });
    expect(jobs.map((j) => [j.status, j.error?.code])).toEqual([['running', 'ENGINE_UNAVAILABLE']]);

    h.gemini.reset();
    const up = await h.post(event);
    expect(up.status).toBe(204);
    const { record, manifest } = await expectSucceededJob(h, 'outage/cat', storedOf('outage/cat.jpg'));
    expect(record.attempt).toBe(2);
    expect(manifest).toMatchObject({ attempt: 2 });
    expect(h.gemini.calls.map((c) => c.reply)).toEqual(['ok', 'ok']);
  });
});

/** The stored input as the assertions name it. */
function storedOf(name: string) {
  const stored = h.gcs.getObject('uploads', name);
  if (!stored) throw new Error(`no uploads/${name}`);
  return { ...stored, size: stored.data.length };
}
