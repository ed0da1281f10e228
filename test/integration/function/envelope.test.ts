import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postBinary, postStructured, storageObjectEventFactory } from '../../support/cloud-events.js';
import { expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;
let photo: Buffer;

beforeAll(async () => {
  h = await startFunctionHarness();
  photo = await smallPhoto();
});

afterAll(async () => {
  await h?.close();
});

/** JSON log lines the function wrote (test/setup.ts silences the console through spies). */
function logLines(): Array<Record<string, unknown>> {
  const calls = [...vi.mocked(console.log).mock.calls, ...vi.mocked(console.error).mock.calls];
  return calls
    .map(([line]) => {
      try {
        return JSON.parse(String(line)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((l): l is Record<string, unknown> => l !== undefined);
}

/** Uploads a pair; returns the image and the sidecar generation. */
function pair(folder: string) {
  const image = h.upload(`${folder}/photo.jpg`, photo);
  const request = h.upload(`${folder}/photo.json`, sidecar({ prompt: 'Warm it up' }));
  return { image, request };
}

describe('processUpload reads CloudEvent envelopes', () => {
  it('accepts int64 fields as JSON numbers when they are exact', async () => {
    const { image, request } = pair('numbers');
    const event = storageObjectEventFactory({
      bucket: request.bucket,
      name: request.name,
      generation: Number(request.generation),
      metageneration: 1,
      size: request.size,
    });
    expect((await postBinary(h.url, event)).status).toBe(204);
    await expectSucceededJob(h, 'numbers/photo', image);
  });

  it('reads the live object when a JSON-number generation lost precision above 2^53', async () => {
    const { image, request } = pair('imprecise');
    const event = storageObjectEventFactory({ bucket: request.bucket, name: request.name });
    const raw = JSON.stringify(event.data).replace('{', '{"generation":12345678901234567890,');
    expect((await postBinary(h.url, event, raw)).status).toBe(204);
    const { record } = await expectSucceededJob(h, 'imprecise/photo', image);
    expect(record.inputs.request?.generation).toBe(request.generation);
    expect(logLines().some((l) => String(l.message).includes('lost precision'))).toBe(true);
  });

  it('acknowledges events of other types without doing anything', async () => {
    const { request } = pair('types');
    for (const type of [
      'google.cloud.storage.object.v1.deleted',
      'google.cloud.storage.object.v1.metadataUpdated',
    ]) {
      const event = storageObjectEventFactory({ ...request, type });
      expect((await postBinary(h.url, event)).status).toBe(204);
      expect((await postStructured(h.url, event)).status).toBe(204);
    }
    expect(h.jobsOf('types/photo')).toEqual([]);
  });

  it('acknowledges an envelope it can never process, logging an error', async () => {
    const event = storageObjectEventFactory({ bucket: 'uploads', name: 'x.jpg' });
    const reply = await postBinary(h.url, event, JSON.stringify({ bucket: 'uploads' }));
    expect(reply.status).toBe(204);
    const line = logLines().find(
      (l) => l.message === 'unusable CloudEvent acknowledged' && l.eventId === event.id,
    );
    expect(line).toMatchObject({ severity: 'ERROR' });
    expect(String(line?.reason)).toContain('name');
  });

  it('acknowledges a binary-mode event whose body is text/plain, logging an error', async () => {
    const { request } = pair('text-body');
    const event = storageObjectEventFactory({ ...request });
    for (const [contentType, body] of [
      ['text/plain', JSON.stringify(event.data)],
      ['text/plain; charset=utf-8', 'not JSON at all'],
    ] as const) {
      const sent = { ...event, id: `${event.id}-${contentType.length}` };
      const reply = await postBinary(h.url, sent, body, contentType);
      expect(reply.status).toBe(204);
      const line = logLines().find(
        (l) => l.message === 'unusable CloudEvent acknowledged' && l.eventId === sent.id,
      );
      expect(line).toMatchObject({ severity: 'ERROR' });
      expect(String(line?.reason)).toContain('text/plain');
    }
    expect(h.jobsOf('text-body/photo')).toEqual([]);
  });

  it('puts the event id, job id and trace on its log lines', async () => {
    const { request } = pair('traced');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const event = storageObjectEventFactory({
      bucket: request.bucket,
      name: request.name,
      generation: request.generation,
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect((await postBinary(h.url, event)).status).toBe(204);
    const done = logLines().find((l) => l.message === 'event handled' && l.eventId === event.id);
    expect(done).toMatchObject({
      severity: 'INFO',
      outcome: 'succeeded',
      platform: 'acknowledge',
      'logging.googleapis.com/trace': `projects/${process.env.GOOGLE_CLOUD_PROJECT}/traces/${traceId}`,
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
    });
    expect(done?.jobId).toEqual(h.jobsOf('traced/photo')[0]?.jobId);
  });
});
