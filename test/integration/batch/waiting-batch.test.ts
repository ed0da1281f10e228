import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PreparedBatchRequest } from '../../../shared/engines/engine.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

const PROMPT =
  'Place the cat on a sunlit wooden windowsill with soft morning light from the left. Keep the fur, the eyes and the pose of the cat exactly as they are. Style: warm editorial photography with true colours and gentle shadows, no added text.';

describe('the batch lane records a Gemini stage as waiting instead of calling the model', () => {
  let gemini: GeminiServer;
  let h: PipelineHarness;
  beforeAll(async () => {
    gemini = await startGeminiServer();
  });
  afterAll(() => gemini.close());
  beforeEach(async () => {
    gemini.reset();
    h = await createPipelineHarness({
      env: { DARKROOM_ENGINE: 'gemini', GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: gemini.url },
    });
    return () => h.close();
  });

  it('parks the job as waiting-batch with the prepared request, and makes no model call', async () => {
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.drop('cat.json', {
      lane: 'batch',
      prompt: PROMPT,
      seed: 77,
      imageSize: '1K',
      aspectRatio: '4:3',
    });
    const waiting = expectOutcome(await h.arrive('cat.png'), 'waiting-batch');
    expect(gemini.calls).toHaveLength(0);

    const job = await h.lineage.getJob(waiting.jobId);
    expect(job).toMatchObject({ status: 'waiting-batch', lane: 'batch', waitingBatch: waiting.keys });
    expect(await h.lineage.listStages(waiting.jobId)).toEqual([]);
    const member = await h.deps.batches?.getMember(`${waiting.jobId}.s1.v1`);
    expect(member).toMatchObject({ state: 'waiting', model: 'gemini-3.1-flash-image', round: 0 });
    const prepared = JSON.parse(
      (await h.deps.store.read(member?.request as { bucket: string; name: string })).toString('utf8'),
    ) as PreparedBatchRequest & {
      request: { contents: { parts: Record<string, unknown>[] }[]; config: Record<string, unknown> };
    };
    const parts = prepared.request.contents[0]?.parts ?? [];
    expect(parts[0]?.text).toContain('windowsill');
    expect(parts[0]?.text).toContain('Keep');
    expect(parts[1]).toMatchObject({ inlineData: { mimeType: expect.stringMatching(/^image\//) } });
    expect(prepared.request.config).toMatchObject({
      seed: 77,
      responseModalities: ['TEXT', 'IMAGE'],
      imageConfig: { imageSize: '1K', aspectRatio: '4:3' },
    });
    expect(prepared.request.config.httpOptions).toBeUndefined();

    // A duplicate delivery finds the job waiting and does nothing.
    expectOutcome(await h.arrive('cat.png'), 'duplicate');
    expect(gemini.calls).toHaveLength(0);
  });

  it('DEFAULT_LANE=batch puts a request that names no lane in the batch lane', async () => {
    await h.close();
    h = await createPipelineHarness({
      env: {
        DARKROOM_ENGINE: 'gemini',
        GEMINI_API_KEY: 'test-key',
        GOOGLE_GEMINI_BASE_URL: gemini.url,
        DEFAULT_LANE: 'batch',
      },
    });
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.drop('cat.json', { prompt: PROMPT });
    expectOutcome(await h.arrive('cat.png'), 'waiting-batch');
    await h.drop('cat.json', { prompt: PROMPT, lane: 'interactive' });
    expectOutcome(await h.arrive('cat.png'), 'succeeded');
    expect(gemini.calls).toHaveLength(1);
  });

  it('an engine without a batch lane runs the stage now and records a warning', async () => {
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.drop('cat.json', { lane: 'batch', engine: 'local', prompt: 'make it warmer' });
    const done = expectOutcome(await h.arrive('cat.png'), 'succeeded');
    const [stage] = await h.lineage.listStages(done.jobId);
    expect(stage?.warnings).toContain('the local engine has no batch lane; stage 1 ran interactively');
  });

  it('refuses an unknown lane', async () => {
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.drop('cat.json', { lane: 'overnight', prompt: PROMPT });
    const failed = expectOutcome(await h.arrive('cat.png'), 'failed');
    expect(failed.error.code).toBe('REQUEST_INVALID');
    expect(failed.error.message).toContain('lane');
  });
});
