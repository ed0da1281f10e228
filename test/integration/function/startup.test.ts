import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;

beforeAll(async () => {
  // The function starts without a results bucket; the tests fix the environment step by step.
  h = await startFunctionHarness({ RESULTS_BUCKET: '' });
});

afterAll(async () => {
  await h?.close();
});

const errorLines = () =>
  vi
    .mocked(console.error)
    .mock.calls.map(([line]) => String(line))
    .filter((line) => line.includes('invalid configuration'));

describe('processUpload with an invalid configuration', () => {
  it('answers 500 and logs the problem until the configuration is fixed, then processes the event', async () => {
    const image = h.upload('start/photo.jpg', await smallPhoto());
    h.upload('start/photo.json', sidecar({ prompt: 'Warm it up' }));

    const missing = await h.send(image);
    expect(missing.status).toBe(500);
    expect(missing.body).toContain('RESULTS_BUCKET is required');
    expect(errorLines().at(-1)).toContain('RESULTS_BUCKET');

    // Same bucket for inputs and results without disjoint prefixes: outputs would re-trigger it.
    process.env.RESULTS_BUCKET = 'uploads';
    const loop = await h.send(image);
    expect(loop.status).toBe(500);
    expect(loop.body).toContain('would trigger the function again');
    expect(errorLines()).toHaveLength(2);
    expect(h.gcs.listObjects('uploads')).toHaveLength(2);

    process.env.RESULTS_BUCKET = 'results';
    const fixed = await h.send(image);
    expect(fixed.status).toBe(204);
    await expectSucceededJob(h, 'start/photo', image);
  });
});
