import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ReplicateServer, startReplicateServer } from '../../../support/replicate-server/index.js';
import { callsOf, engineFor, fakeClock, noise, pixel, request, solid, stage } from './helpers.js';

const DEV = 'black-forest-labs/flux-kontext-dev';
const PRO = 'black-forest-labs/flux-kontext-pro';
const PRUNA = 'prunaai/p-image-edit';
const QWEN = 'qwen/qwen-image-edit-plus';
const LORA = 'qwen/qwen-image-edit-plus-lora';
const ESRGAN = 'nightmareai/real-esrgan';
let server: ReplicateServer;

beforeAll(async () => {
  server = await startReplicateServer({ timeScale: 0.01, enforceCancelAfter: false });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

function sentInput(): Record<string, unknown> {
  const body = callsOf(server, 'create')[0]?.body as { input?: Record<string, unknown> } | undefined;
  return body?.input ?? {};
}

describe('createReplicateEngine', () => {
  describe('edit per model', () => {
    it('sends guidanceScale and steps to flux-kontext-dev as guidance and num_inference_steps', async () => {
      const clock = fakeClock();
      const plan = stage(DEV, { guidanceScale: 8.5, steps: 40, aspectRatio: '1:1' });

      const result = await engineFor(server, clock).edit(
        request(clock, plan, await solid(40, 20, [0, 128, 0])),
      );

      expect(sentInput()).toMatchObject({
        guidance: 8.5,
        num_inference_steps: 40,
        seed: 42,
        aspect_ratio: '1:1',
      });
      expect(result.warnings).toEqual([]);
      expect(result.image).toMatchObject({ width: 20, height: 20 });
    });

    it.each([PRO, PRUNA, QWEN])('does not send guidanceScale or steps to %s, and warns', async (model) => {
      const clock = fakeClock();
      const plan = stage(model, { guidanceScale: 8, steps: 40 });

      const result = await engineFor(server, clock).edit(
        request(clock, plan, await solid(16, 16, [5, 5, 5])),
      );

      const input = sentInput();
      expect(JSON.stringify(input)).not.toMatch(/guidance|steps/);
      expect(input.seed).toBe(42);
      expect(result.warnings).toEqual([
        `guidanceScale is ignored by ${model} (it has no such input)`,
        `steps is ignored by ${model} (it has no such input)`,
      ]);
    });

    it('runs the pinned LoRA version with lora_weights and lora_scale, keeping the first of its array output', async () => {
      const clock = fakeClock();
      const plan = stage(LORA, {
        extra: { lora_weights: 'flymy-ai/qwen-image-portrait-lora', lora_scale: 1.5 },
      });

      const result = await engineFor(server, clock).edit(
        request(clock, plan, await solid(16, 16, [100, 100, 100])),
      );

      const [create] = callsOf(server, 'create');
      expect(create?.path).toBe('/v1/predictions');
      expect(create?.body).toMatchObject({
        version: 'b37d69a6b94414c96cc4ecb16660b472bb62284f2293d4b65537c09b8500e200',
        input: { lora_weights: 'flymy-ai/qwen-image-portrait-lora', lora_scale: 1.5, output_format: 'png' },
      });
      expect(sentInput().image).toHaveLength(1);
      expect(result.model).toBe(`${LORA}@b37d69a6b94414c96cc4ecb16660b472bb62284f2293d4b65537c09b8500e200`);
      expect(await pixel(result.image.data, 8, 8)).toEqual([155, 155, 155]);
    });

    it('fuses the stage input and a reference with p-image-edit, in order', async () => {
      const clock = fakeClock();
      const input = await solid(60, 60, [255, 0, 0]);
      const reference = await solid(30, 30, [0, 0, 255]);

      const result = await engineFor(server, clock).edit(
        request(clock, stage(PRUNA, {}, 1), input, { references: [reference] }),
      );

      expect(sentInput().images).toHaveLength(2);
      expect(await pixel(result.image.data, 5, 5)).toEqual([0, 0, 255]);
      expect(await pixel(result.image.data, 50, 50)).toEqual([0, 255, 255]);
      expect(result.details?.sent).toEqual([
        expect.objectContaining({ role: 'input', position: 0, via: 'data-url', width: 60 }),
        expect.objectContaining({ role: 'reference', position: 1, via: 'data-url', width: 30 }),
      ]);
      expect(result.costUsd).toBe(0.01);
    });

    it('upscales with real-esrgan: a larger output, cost from predict time', async () => {
      const clock = fakeClock();
      server.script({ predictTime: 4 });
      const plan = { ...stage(ESRGAN, { extra: { scale: 2 } }), prompt: 'Upscale 2x' };

      const result = await engineFor(server, clock).edit(
        request(clock, plan, await solid(50, 30, [10, 200, 30])),
      );

      expect(callsOf(server, 'create')[0]?.body).toMatchObject({
        version: '42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b',
        input: { scale: 2, face_enhance: false },
      });
      expect(result.image).toMatchObject({ width: 100, height: 60 });
      expect(await pixel(result.image.data, 99, 59)).toEqual([10, 200, 30]);
      expect(result.costUsd).toBe(0.0009);
      expect(result.warnings).toEqual([]);
    });

    it('downscales a large input to the model size and sends it through the Files API', async () => {
      const clock = fakeClock();
      const input = await noise(2000, 1000);

      const result = await engineFor(server, clock).edit(request(clock, stage(PRO), input));

      const [upload] = callsOf(server, 'upload');
      expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data/);
      const fileId = (result.details?.sent as { fileId: string }[] | undefined)?.[0]?.fileId;
      expect(sentInput().input_image).toBe(`${server.url}/files/${fileId}`);
      expect(result.details?.sent).toEqual([
        expect.objectContaining({
          via: 'file',
          width: 1536,
          height: 768,
          resizedFrom: { width: 2000, height: 1000 },
        }),
      ]);
      expect(result.details?.input).toMatchObject({
        input_image: `image 1: file ${fileId} image/png 1536x768`,
      });
      expect(result.image).toMatchObject({ width: 1536, height: 768 });
    });

    it('inlines a small input as a data URL', async () => {
      const clock = fakeClock();
      const input = await solid(16, 16, [1, 2, 3]);

      await engineFor(server, clock).edit(request(clock, stage(QWEN), input));

      expect(sentInput().image).toEqual([`data:image/png;base64,${input.data.toString('base64')}`]);
      expect(callsOf(server, 'upload')).toHaveLength(0);
    });
  });
});
