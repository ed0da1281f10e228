import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import type { StageRecord } from '../../../shared/lineage/records.js';
import { fixture } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';
import { type ReplicateServer, startReplicateServer } from '../../support/replicate-server/index.js';

const FUSE_PROMPT =
  'Place the cat from image 1 on the cafe table from image 2, matching the natural lighting direction of the cafe. ' +
  'Keep the fur, the eyes and the pose of the cat exactly as they are, and keep the table, the cup and the window unchanged. ' +
  'Style: warm editorial photography with soft shadows and true colours, no added text or objects.';
const LABEL_PROMPT =
  'Rewrite the text on the cup label so that it reads "Darkroom" in a clean sans-serif type. ' +
  'Keep the cat, the table, the lighting and every other detail of the photo exactly as they are. ' +
  'Style: crisp product photography with sharp lettering that follows the curve of the cup and no other change.';

/** The request of the issue: upscale with Replicate, fuse with Gemini, rewrite a label with Flux Kontext. */
const MIXED_REQUEST = {
  version: 1,
  upscale: { minSourceSide: 512, factor: 2 },
  labels: { sku: 'CAT-CAFE-1' },
  stages: [
    {
      name: 'fuse',
      engine: 'gemini',
      prompt: FUSE_PROMPT,
      references: ['scene.png'],
      seed: 4242,
      guidanceScale: 8,
      steps: 40,
    },
    {
      name: 'label',
      engine: 'replicate',
      model: 'black-forest-labs/flux-kontext-dev',
      prompt: LABEL_PROMPT,
      seed: 1234,
      guidanceScale: 3.5,
      steps: 28,
    },
  ],
};

interface ManifestStage {
  index: number;
  name: string;
  engine: string;
  model: string;
  params: Record<string, unknown>;
  input: string;
  output: { sha256: string; width: number; height: number };
  warnings: string[];
  costUsd?: number;
}

describe('per-stage engine choice: upscale (Replicate) → fuse (Gemini) → label (Flux Kontext)', () => {
  let replicate: ReplicateServer;
  let gemini: GeminiServer;
  let h: PipelineHarness;
  beforeAll(async () => {
    [replicate, gemini] = await Promise.all([startReplicateServer(), startGeminiServer()]);
  });
  afterAll(async () => {
    await Promise.all([replicate.close(), gemini.close()]);
  });
  beforeEach(async () => {
    h = await createPipelineHarness({
      env: {
        DARKROOM_ENGINE: 'gemini',
        GEMINI_API_KEY: 'test-key',
        GOOGLE_GEMINI_BASE_URL: gemini.url,
        REPLICATE_API_TOKEN: replicate.token,
        REPLICATE_BASE_URL: replicate.url,
      },
    });
    return () => h.close();
  });

  it('runs end to end: each engine gets its own parameters, every stage is recorded and costed', async () => {
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.dropFile('scene.png', fixture('coffee.png'));
    await h.drop('cat.json', MIXED_REQUEST);
    const done = expectOutcome(await h.arrive('cat.png'), 'succeeded');

    const stages = await h.lineage.listStages(done.jobId);
    expect(stages.map((s) => [s.index, s.name, s.engine])).toEqual([
      [1, 'upscale', 'replicate'],
      [2, 'fuse', 'gemini'],
      [3, 'label', 'replicate'],
    ]);
    const [up, fuse, label] = stages as [StageRecord, StageRecord, StageRecord];
    expect(up.model).toMatch(/^nightmareai\/real-esrgan@/);
    expect(fuse.model).toBe('gemini-3.1-flash-image');
    expect(label.model).toMatch(/^black-forest-labs\/flux-kontext-dev/);

    // What each service received.
    const creates = replicate.calls.filter((c) => c.route === 'create');
    expect(creates.map((c) => c.path)).toEqual([
      '/v1/predictions',
      '/v1/models/black-forest-labs/flux-kontext-dev/predictions',
    ]);
    expect(creates[0]?.body).toMatchObject({ input: { scale: 2 } });
    const kontextInput = (creates[1]?.body as { input?: Record<string, unknown> } | undefined)?.input ?? {};
    expect(kontextInput).toMatchObject({ guidance: 3.5, num_inference_steps: 28, seed: 1234 });
    expect(kontextInput.prompt).toContain('"Darkroom"');
    expect(gemini.calls).toHaveLength(1);
    const config = gemini.calls[0]?.generationConfig ?? {};
    expect(config.seed).toBe(4242);
    expect(Object.keys(config).filter((k) => /guidance|step/i.test(k))).toEqual([]);

    // Lineage shows each engine's parameters, and warns where a model ignores one.
    expect(up.params).toMatchObject({ extra: { scale: 2 } });
    expect(fuse.params).toMatchObject({ seed: 4242, guidanceScale: 8, steps: 40 });
    expect(label.params).toMatchObject({ seed: 1234, guidanceScale: 3.5, steps: 28 });
    expect(fuse.warnings).toEqual(
      expect.arrayContaining([
        'guidanceScale 8 ignored: Gemini image models have no guidance scale',
        'steps 40 ignored: Gemini image models have no step count',
      ]),
    );
    expect(label.warnings.filter((w) => /guidance|steps/i.test(w))).toEqual([]);
    expect(up.warnings).toEqual([]);

    // Each stage's input is the previous stage's output, as recorded and as sent.
    const manifest = await h.resultJson<{
      inputs: { image: { sha256: string }; references: { sha256: string }[] };
      stages: ManifestStage[];
      costUsd: number;
    }>(`${done.prefix}manifest.json`);
    expect(up.inputAssetId).toBe(manifest.inputs.image.sha256);
    expect(fuse.inputAssetId).toBe(up.outputAssetId);
    expect(fuse.referenceAssetIds).toEqual([manifest.inputs.references[0]?.sha256]);
    expect(label.inputAssetId).toBe(fuse.outputAssetId);
    const [upPrediction, labelPrediction] = [...replicate.predictions.values()];
    expect(upPrediction?.images).toHaveLength(1);
    expect([up.width, up.height]).toEqual([902, 600]);
    expect(gemini.calls[0]?.images.map((i) => [i.width, i.height])).toEqual([
      [902, 600],
      [600, 400],
    ]);
    expect(hashBytes(labelPrediction?.images[0] ?? Buffer.alloc(0))).toBe(fuse.outputAssetId);

    // Each Replicate stage records its prediction, predict time and version; cost per stage and in total.
    expect(up.details).toMatchObject({ predictionId: upPrediction?.id, predictTime: 1.5 });
    expect(label.details).toMatchObject({ predictionId: labelPrediction?.id, predictTime: 1.5 });
    expect(up.costUsd).toBeCloseTo(1.5 * 0.000225, 6);
    expect(label.costUsd).toBe(0.025);
    expect(fuse.costUsd).toBeGreaterThan(0);
    expect(manifest.stages.map((s) => [s.name, s.engine, s.costUsd])).toEqual(
      stages.map((s) => [s.name, s.engine, s.costUsd]),
    );
    expect(manifest.stages[1]?.warnings).toEqual(fuse.warnings);
    expect(manifest.costUsd).toBeCloseTo((up.costUsd ?? 0) + (fuse.costUsd ?? 0) + (label.costUsd ?? 0), 9);
    const job = await h.lineage.getJob(done.jobId);
    expect(job?.costUsd).toBeCloseTo(manifest.costUsd, 9);
    expect(job?.engine).toBe('replicate+gemini');
  });

  it('checks every stage before any call: a parameter out of the Kontext range fails the job with no engine call', async () => {
    replicate.calls.length = 0;
    gemini.reset();
    const request = structuredClone(MIXED_REQUEST);
    (request.stages[1] as { steps: number }).steps = 80;
    await h.dropFile('cat.png', fixture('chelsea.png'));
    await h.dropFile('scene.png', fixture('coffee.png'));
    await h.drop('cat.json', request);
    const failed = expectOutcome(await h.arrive('cat.png'), 'failed');

    expect(failed.error.code).toBe('ENGINE_PARAMETER_INVALID');
    expect(failed.error.message).toContain('black-forest-labs/flux-kontext-dev');
    expect(failed.error.message).toContain(
      'steps (input "num_inference_steps") must be an integer from 4 to 50',
    );
    expect(replicate.calls).toHaveLength(0);
    expect(gemini.calls).toHaveLength(0);
  });
});
