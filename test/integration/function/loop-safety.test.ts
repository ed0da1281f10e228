import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageObjectEventFactory } from '../../support/cloud-events.js';
import { expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, RESULTS, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;
let photo: Buffer;

beforeAll(async () => {
  // No INPUT_BUCKET: events for the results bucket reach the pipeline, which must still skip them.
  h = await startFunctionHarness({ INPUT_BUCKET: '', MAX_EVENT_AGE_SECONDS: '600' });
  photo = await smallPhoto();
});

afterAll(async () => {
  await h?.close();
});

/** Every object of the results bucket, by name and generation. */
const snapshot = () => h.gcs.listObjects(RESULTS).map((o) => `${o.name}#${o.generation}`);

describe('processUpload never feeds on itself', () => {
  it('acknowledges events for its own outputs and error reports and does nothing', async () => {
    const image = h.upload('loop/photo.jpg', photo);
    h.upload('loop/photo.json', sidecar({ prompt: 'Warm it up', output: { formats: ['webp', 'png'] } }));
    expect((await h.send(image)).status).toBe(204);
    const { files } = await expectSucceededJob(h, 'loop/photo', image);
    const bad = h.upload('loop/broken.jpg', photo);
    h.upload('loop/broken.json', '{ not json');
    expect((await h.send(bad)).status).toBe(204);
    const before = snapshot();
    const jobsBefore = await h.lineage.listJobs();
    expect(before.some((name) => name.includes('broken/') && name.includes('error.json'))).toBe(true);

    for (const output of h.gcs.listObjects(RESULTS)) {
      // Outputs are images and JSON files named like inputs and sidecars: only the marker tells.
      const reply = await h.send({ ...output, size: output.data.length });
      expect(reply.status, output.name).toBe(204);
    }
    expect(files.size).toBeGreaterThan(3);
    expect(snapshot()).toEqual(before);
    expect((await h.lineage.listJobs()).map((j) => j.id).sort()).toEqual(jobsBefore.map((j) => j.id).sort());
  });

  it('ignores an input whose event carries the output marker as a boolean', async () => {
    const image = h.upload('marked/photo.jpg', photo);
    h.upload('marked/photo.json', sidecar({ prompt: 'Warm it up' }));
    const reply = await h.send(image, { metadata: { 'darkroom-output': true } });
    expect(reply.status).toBe(204);
    expect(h.jobsOf('marked/photo')).toEqual([]);
  });

  it('ignores hidden files', async () => {
    const image = h.upload('.trash/photo.jpg', photo);
    h.upload('.trash/photo.json', sidecar({ prompt: 'Warm it up' }));
    expect((await h.send(image)).status).toBe(204);
    expect(h.jobsOf('.trash/photo')).toEqual([]);
  });

  it('acknowledges a stale event without running the job', async () => {
    const image = h.upload('stale/photo.jpg', photo);
    h.upload('stale/photo.json', sidecar({ prompt: 'Warm it up' }));
    const time = new Date(Date.now() - 11 * 60_000).toISOString();
    expect((await h.send(image, { time })).status).toBe(204);
    expect(h.jobsOf('stale/photo')).toEqual([]);
    expect(await h.lineage.listJobs({ sourceKey: 'uploads/stale/photo.jpg' })).toEqual([]);
  });

  it('acknowledges an event for a generation that was overwritten since, and runs the new one', async () => {
    h.upload('over/photo.json', sidecar({ prompt: 'Warm it up' }));
    const first = h.upload('over/photo.jpg', photo);
    const second = h.upload('over/photo.jpg', await smallPhoto('coffee.png'));
    expect(second.generation).not.toBe(first.generation);

    expect((await h.send(first)).status).toBe(204);
    expect(h.jobsOf('over/photo')).toEqual([]);

    expect((await h.send(second)).status).toBe(204);
    await expectSucceededJob(h, 'over/photo', second);
  });

  it('acknowledges an event whose object was deleted since', async () => {
    const image = h.upload('gone/photo.jpg', photo);
    h.upload('gone/photo.json', sidecar({ prompt: 'Warm it up' }));
    h.gcs.deleteObject('uploads', 'gone/photo.jpg');
    const event = storageObjectEventFactory({
      bucket: 'uploads',
      name: image.name,
      generation: image.generation,
    });
    expect((await h.post(event)).status).toBe(204);
    expect(h.jobsOf('gone/photo')).toEqual([]);
  });
});
