import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReplicateEngine } from '../../../shared/engines/replicate/index.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';
import { type ReplicateServer, startReplicateServer } from '../../support/replicate-server/index.js';

/** chelsea.png (451×300) resized so that its shorter side is `side`. */
async function smallChelsea(side: number): Promise<Buffer> {
  return sharp(fixture('chelsea.png')).resize({ height: side }).png().toBuffer();
}

describe('upscale-first: an upscale stage before the edits when the source is small', () => {
  let server: ReplicateServer;
  let env: Record<string, string>;
  let h: PipelineHarness;
  const creates = () => server.calls.filter((c) => c.route === 'create');

  beforeAll(async () => {
    // Cancel-After is not enforced: the held prediction of the resume test outlives its budget.
    server = await startReplicateServer({ timeScale: 0.05, enforceCancelAfter: false });
    env = {
      DARKROOM_ENGINE: 'local',
      REPLICATE_API_TOKEN: server.token,
      REPLICATE_BASE_URL: server.url,
      LEASE_SECONDS: '2',
    };
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    server.calls.length = 0;
    h = await createPipelineHarness({ env });
    return () => h.close();
  });

  it('upscales a 200 px source with Real-ESRGAN, records the stage, and edits the larger image', async () => {
    await h.drop('small.png', await smallChelsea(200));
    await h.drop('small.json', {
      upscale: { minSourceSide: 512 },
      stages: [{ name: 'warm', prompt: 'warmer' }],
    });
    const done = expectOutcome(await h.arrive('small.png'), 'succeeded');

    const stages = await h.lineage.listStages(done.jobId);
    expect(stages.map((s) => [s.index, s.name, s.engine])).toEqual([
      [1, 'upscale', 'replicate'],
      [2, 'warm', 'local'],
    ]);
    const [up, warm] = stages;
    // 200 × 2 = 400 would stay below 512, so the factor is 4.
    expect(up?.model).toMatch(/^nightmareai\/real-esrgan@42fed1c4/);
    expect(up?.params).toMatchObject({ extra: { scale: 4 } });
    expect([up?.width, up?.height]).toEqual([301 * 4, 800]);
    const [create] = creates();
    expect(creates()).toHaveLength(1);
    expect(create?.body).toMatchObject({ input: { scale: 4 } });
    const prediction = [...server.predictions.values()][0];
    expect(up?.details).toMatchObject({
      predictionId: prediction?.id,
      predictTime: 1.5,
      status: 'succeeded',
    });
    expect(up?.costUsd).toBeCloseTo(1.5 * 0.000225, 6);
    // The edit ran on the upscaled image.
    expect(warm?.inputAssetId).toBe(up?.outputAssetId);
    expect([warm?.width, warm?.height]).toEqual([301 * 4, 800]);

    const manifest = await h.resultJson<{
      inputs: { image: { sha256: string; width: number; height: number } };
      stages: { name: string; input: string; costUsd?: number }[];
      costUsd: number;
    }>(`${done.prefix}manifest.json`);
    expect([manifest.inputs.image.width, manifest.inputs.image.height]).toEqual([301, 200]);
    expect(manifest.stages.map((s) => s.name)).toEqual(['upscale', 'warm']);
    expect(manifest.stages[0]?.input).toBe(manifest.inputs.image.sha256);
    expect(manifest.costUsd).toBeCloseTo(up?.costUsd ?? -1, 10);
    const job = await h.lineage.getJob(done.jobId);
    expect(job?.engine).toBe('replicate+local');
  });

  it('runs no upscale stage for a source that is large enough', async () => {
    await h.dropFile('big.png', fixture('coffee.png'));
    await h.drop('big.json', { upscale: { minSourceSide: 256, factor: 2 }, prompt: 'warmer' });
    const done = expectOutcome(await h.arrive('big.png'), 'succeeded');

    const stages = await h.lineage.listStages(done.jobId);
    expect(stages.map((s) => [s.index, s.name])).toEqual([[1, 'stage-1']]);
    expect(stages[0]?.width).toBe(600);
    expect(server.calls).toHaveLength(0);
  });

  it('refuses a source that stays below MIN_INPUT_SIDE even after the factor, before any engine call', async () => {
    await h.drop('tiny.png', await smallChelsea(100));
    await h.drop('tiny.json', { upscale: { minSourceSide: 512, factor: 2 }, prompt: 'warmer' });
    const failed = expectOutcome(await h.arrive('tiny.png'), 'failed');

    expect(failed.error.code).toBe('IMAGE_TOO_SMALL');
    expect(failed.error.message).toContain(
      'The image is 150×100; upscaled 2× its shorter side would be 200 px',
    );
    expect(failed.error.message).toContain('below the 256 px edits need (MIN_INPUT_SIDE)');
    expect(failed.error.message).toContain('"upscale.factor" to 4');
    expect(server.calls).toHaveLength(0);
    const report = await h.resultJson<{ code: string }>(`${failed.prefix}error.json`);
    expect(report.code).toBe('IMAGE_TOO_SMALL');
  });

  it('still refuses a small source without the upscale option, and accepts it with one', async () => {
    await h.drop('plain.png', await smallChelsea(100));
    await h.drop('plain.json', { prompt: 'warmer' });
    const refused = expectOutcome(await h.arrive('plain.png'), 'failed');
    expect(refused.error.message).toContain('edits need at least 256 px on the shortest side');

    await h.drop('plain.json', { upscale: { minSourceSide: 256 }, prompt: 'warmer' });
    const done = expectOutcome(await h.arrive('plain.json'), 'succeeded');
    const stages = await h.lineage.listStages(done.jobId);
    expect(stages.map((s) => [s.name, s.height])).toEqual([
      ['upscale', 400],
      ['stage-1', 400],
    ]);
  });

  it('checks the upscale option before any call: field paths, unknown model, reserved stage name', async () => {
    const cases: { request: object; code: string; messages: string[] }[] = [
      {
        request: { upscale: { minSourceSide: 10, factor: 3, scale: 2 }, prompt: 'warmer' },
        code: 'REQUEST_INVALID',
        messages: [
          'upscale: unknown field "scale" (check the spelling)',
          'upscale.minSourceSide: must be between 64 and 4096',
          'upscale.factor: must be 2 or 4',
        ],
      },
      {
        request: { upscale: { minSourceSide: 512, model: 'nightmareai/unknown' }, prompt: 'warmer' },
        code: 'ENGINE_PARAMETER_INVALID',
        messages: ['upscale (nightmareai/unknown): model has no Replicate profile'],
      },
      {
        request: { upscale: { minSourceSide: 512, engine: 'imagen' }, prompt: 'warmer' },
        code: 'ENGINE_UNKNOWN',
        messages: ['upscale.engine: engine "imagen" is not available here'],
      },
      {
        request: { upscale: { minSourceSide: 512 }, stages: [{ name: 'Upscale', prompt: 'warmer' }] },
        code: 'REQUEST_INVALID',
        messages: ['stages[0].name: "upscale" is the name of the stage the "upscale" option adds'],
      },
    ];
    await h.drop('cat.png', await smallChelsea(200));
    for (const { request, code, messages } of cases) {
      await h.drop('cat.json', request);
      const failed = expectOutcome(await h.arrive('cat.json'), 'failed');
      expect(failed.error.code, JSON.stringify(request)).toBe(code);
      for (const message of messages) expect(failed.error.message).toContain(message);
    }
    expect(server.calls).toHaveLength(0);
  });

  it('resumes a held upscale prediction on redelivery instead of creating a second one', async () => {
    // Poll fast and start a prediction with little budget left, so the budget runs out quickly.
    const replicate = createReplicateEngine({
      env,
      pollIntervalMs: 50,
      maxWaitSeconds: 1,
      minCreateBudgetMs: 200,
    });
    await h.close();
    h = await createPipelineHarness({ env, engines: [replicate] });
    server.script({ outcome: 'never' });
    await h.drop('held.png', await smallChelsea(200));
    await h.drop('held.json', { upscale: { minSourceSide: 400, factor: 2 }, prompt: 'warmer' });

    const first = expectOutcome(await h.arrive('held.png', { deadline: Date.now() + 2000 }), 'retry');
    expect(first.error.code).toBe('DEADLINE_EXCEEDED');
    expect(creates()).toHaveLength(1);
    const held = [...server.predictions.values()].at(-1);
    expect(held?.status).toBe('processing');
    const job = await h.lineage.getJob(first.jobId);
    expect(job?.checkpoints?.['1']).toMatchObject({
      predictionId: held?.id,
      model: 'nightmareai/real-esrgan',
    });
    expect(await h.lineage.listStages(first.jobId)).toEqual([]);

    // The model finishes after the first attempt gave up; the redelivery polls it.
    if (held) held.script = {};
    const done = expectOutcome(await h.arrive('held.png'), 'succeeded');
    expect(done.jobId).toBe(first.jobId);
    expect(creates()).toHaveLength(1);
    const polls = server.calls.filter((c) => c.route === 'poll' && c.path.endsWith(`/${held?.id}`));
    expect(polls.length).toBeGreaterThan(1);
    const stages = await h.lineage.listStages(done.jobId);
    expect(stages.map((s) => [s.index, s.name, s.attempt])).toEqual([
      [1, 'upscale', 2],
      [2, 'stage-1', 2],
    ]);
    expect(stages[0]?.details).toMatchObject({ predictionId: held?.id, resumed: true });
    expect(stages[0]?.height).toBe(400);
    expect((await h.lineage.getJob(done.jobId))?.attempt).toBe(2);
  });
});
