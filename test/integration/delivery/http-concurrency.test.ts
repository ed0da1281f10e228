import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageObjectEventFactory } from '../../support/cloud-events.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from '../function/harness.js';

let h: FunctionHarness;
beforeAll(async () => {
  // The function's default engine (gemini) against the Gemini test server; no stage cache, so
  // only the claim can keep a stage from running twice.
  h = await startFunctionHarness({ DARKROOM_ENGINE: '', GEMINI_MAX_ATTEMPTS: '1', STAGE_CACHE: 'false' });
});
afterAll(async () => {
  await h?.close();
});

describe('processUpload under 20 concurrent deliveries of one event', () => {
  it('calls the engine once per stage and writes one set of outputs', async () => {
    h.upload('rush/cat.jpg', await smallPhoto());
    const request = h.upload(
      'rush/cat.json',
      sidecar({
        stages: [
          {
            name: 'light',
            prompt: 'Warm the light to a late-afternoon glow; keep the cat unchanged.',
            imageSize: '512',
          },
          {
            name: 'finish',
            prompt: 'Add a gentle vignette around the edges of the frame.',
            imageSize: '512',
          },
        ],
      }),
    );
    const event = storageObjectEventFactory({
      bucket: request.bucket,
      name: request.name,
      generation: request.generation,
      contentType: 'application/json',
    });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.post(event, i % 2 ? 'structured' : 'binary')),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses).toContain(204);
    // Every other delivery found the job running under a live lease: 500, so Eventarc redelivers.
    for (const reply of replies.filter((r) => r.status !== 204)) {
      expect(reply.status).toBe(500);
      expect(reply.body).toMatch(/running elsewhere under a live lease/);
    }
    // The redeliveries find the job finished and are acknowledged.
    for (let i = 0; i < statuses.filter((s) => s === 500).length; i++) {
      expect((await h.post(event)).status).toBe(204);
    }

    const byStage = (word: string) => h.gemini.calls.filter((c) => c.prompt?.includes(word)).length;
    expect([byStage('Warm the light'), byStage('vignette')]).toEqual([1, 1]);
    const jobs = h.jobsOf('rush/cat');
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect([...(job?.files.keys() ?? [])].sort()).toEqual(
      ['compare.jpg', 'final.webp', 'manifest.json', 'stages/01-light.jpg', 'stages/02-finish.jpg'].sort(),
    );
    expect(await h.job(job?.jobId ?? '')).toMatchObject({ status: 'succeeded', attempt: 1 });
  });
});
