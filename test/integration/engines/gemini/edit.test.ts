import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createGeminiEngine } from '../../../../shared/engines/gemini/index.js';
import { ValidationError } from '../../../../shared/errors.js';
import { fakeClock, geminiApiEnv, stagePlan } from '../../../support/gemini-server/harness.js';
import { near, pixelAt, solidImage } from '../../../support/gemini-server/images.js';
import { type GeminiServer, startGeminiServer } from '../../../support/gemini-server.js';

let server: GeminiServer;
let red: EngineImage;
let blue: EngineImage;
let green: EngineImage;

beforeAll(async () => {
  server = await startGeminiServer();
  red = await solidImage([255, 0, 0], 600, 400);
  blue = await solidImage([0, 0, 255], 200, 200);
  green = await solidImage([0, 255, 0], 200, 200, 'jpeg');
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const engine = () => createGeminiEngine({ env: geminiApiEnv(server.url), ...fakeClock() });

describe('gemini engine against the test server', () => {
  it('edits one image: sends prompt, image and seed, and returns the model image with usage and cost', async () => {
    const result = await engine().edit({
      stage: stagePlan({}, { seed: 424242, temperature: 0.4, guidanceScale: 9 }),
      input: red,
      references: [],
    });
    expect(server.calls).toHaveLength(1);
    const call = server.calls[0];
    expect(call?.path).toBe('/v1beta/models/gemini-3.1-flash-image:generateContent');
    expect(call?.headers['x-goog-api-key']).toBe('test-key');
    expect(call?.prompt).toContain('Invert the colours');
    expect(call?.generationConfig).toMatchObject({
      seed: 424242,
      temperature: 0.4,
      responseModalities: ['TEXT', 'IMAGE'],
    });
    expect(call?.body).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: expect.any(String) }, { inlineData: {} }] }],
    });

    expect(result.model).toBe('gemini-3.1-flash-image');
    expect(result.image).toMatchObject({ mimeType: 'image/jpeg', width: 1024, height: 683 });
    expect(near(await pixelAt(result.image.data, 512, 340), [0, 255, 255])).toBe(true);
    expect(result.warnings).toEqual([expect.stringContaining('guidanceScale 9 ignored')]);
    expect(result.usage).toMatchObject({
      promptTokens: expect.any(Number),
      outputTokens: 1132,
      thoughtTokens: 180,
    });
    expect(result.costUsd).toBeGreaterThan(0.067);
    expect(result.costUsd).toBeLessThan(0.07);
    expect(result.details).toMatchObject({
      seed: 424242,
      finishReason: 'STOP',
      modelVersion: 'gemini-3.1-flash-image',
      attempts: 1,
      text: 'Here is the edited image.',
      sent: [{ image: 1, width: 600, height: 400, mimeType: 'image/png', reencoded: false }],
    });
  });

  it('fuses two references: the server sees image 1, 2, 3 in order and the output shows each in its place', async () => {
    const result = await engine().edit({
      stage: stagePlan({ referenceCount: 2 }, { aspectRatio: '1:1', imageSize: '512' }),
      input: red,
      references: [blue, green],
    });
    const call = server.calls[0];
    expect(call?.images.map((i) => [i.mimeType, i.width, i.height])).toEqual([
      ['image/png', 600, 400],
      ['image/png', 200, 200],
      ['image/jpeg', 200, 200],
    ]);
    expect(near(await pixelAt(call?.images[1]?.data as Buffer, 5, 5), [0, 0, 255])).toBe(true);
    expect(call?.generationConfig).toMatchObject({ imageConfig: { aspectRatio: '1:1', imageSize: '512' } });
    expect(result.image).toMatchObject({ width: 512, height: 512 });
    const [topLeft, topRight, centre] = await Promise.all([
      pixelAt(result.image.data, 10, 10),
      pixelAt(result.image.data, 500, 10),
      pixelAt(result.image.data, 256, 256),
    ]);
    expect(near(topLeft, [0, 0, 255])).toBe(true);
    expect(near(topRight, [0, 255, 0])).toBe(true);
    expect(near(centre, [0, 255, 255])).toBe(true);
    expect(result.details?.sent).toHaveLength(3);
  });

  it('chains two stages: the first output is the second input, and the seed is sent again', async () => {
    const e = engine();
    const first = await e.edit({ stage: stagePlan({}, { seed: 99 }), input: red, references: [] });
    const second = await e.edit({
      stage: stagePlan({ index: 1, name: 'again' }, { seed: 99 }),
      input: first.image,
      references: [],
    });
    expect(server.calls.map((c) => c.generationConfig?.seed)).toEqual([99, 99]);
    expect(server.calls[1]?.images[0]).toMatchObject({
      width: first.image.width,
      height: first.image.height,
    });
    expect(near(await pixelAt(second.image.data, 100, 100), [255, 0, 0])).toBe(true);
  });

  it('gets no thought images, as it asks for no thoughts (the replay suite covers replies that carry them)', async () => {
    server.inject({ kind: 'thoughts', count: 2 });
    const result = await engine().edit({ stage: stagePlan(), input: red, references: [] });
    expect(server.calls[0]?.generationConfig?.thinkingConfig).toBeUndefined();
    expect(result.details?.thoughtImages).toBe(0);
    expect(near(await pixelAt(result.image.data, 50, 50), [0, 255, 255])).toBe(true);
  });

  it('sends thinkingLevel only to models that take it', async () => {
    await engine().edit({ stage: stagePlan({}, { thinkingLevel: 'high' }), input: red, references: [] });
    const pro = await engine().edit({
      stage: stagePlan({ model: 'gemini-3-pro-image' }, { thinkingLevel: 'high' }),
      input: red,
      references: [],
    });
    expect(server.calls[0]?.generationConfig?.thinkingConfig).toEqual({ thinkingLevel: 'HIGH' });
    expect(server.calls[1]?.generationConfig?.thinkingConfig).toBeUndefined();
    expect(pro.warnings[0]).toContain('thinkingLevel');
  });

  it('downscales a 6000×4000 JPEG before sending it and records what was sent', async () => {
    const width = 6000;
    const height = 4000;
    // Blocky noise: as costly to send as a camera photo, cheap to generate.
    const noise = await sharp({
      create: {
        width: 600,
        height: 400,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    const data = await sharp(noise)
      .resize(width, height, { kernel: 'nearest' })
      .jpeg({ quality: 90 })
      .toBuffer();
    const result = await engine().edit({
      stage: stagePlan({}, { imageSize: '2K' }),
      input: { data, mimeType: 'image/jpeg', width, height },
      references: [],
    });
    const received = server.calls[0]?.images[0];
    expect(received).toMatchObject({ mimeType: 'image/jpeg', width: 2048, height: 1365 });
    expect(received?.bytes).toBeLessThan(data.length / 4);
    expect(result.details?.sent).toEqual([
      {
        image: 1,
        width: 2048,
        height: 1365,
        bytes: received?.bytes,
        mimeType: 'image/jpeg',
        reencoded: true,
        original: { width, height, bytes: data.length, mimeType: 'image/jpeg' },
      },
    ]);
    expect(result.details?.maxInputSide).toBe(2048);
  });

  it('honours a configured maxInputSide', async () => {
    const e = createGeminiEngine({ env: geminiApiEnv(server.url), maxInputSide: 300 });
    await e.edit({ stage: stagePlan(), input: red, references: [] });
    expect(server.calls[0]?.images[0]).toMatchObject({ width: 300, height: 200 });
  });

  it.each([
    [
      'too many references for 2.5 Flash',
      stagePlan({ model: 'gemini-2.5-flash-image', referenceCount: 3 }),
      3,
    ],
    ['a lowercase imageSize', stagePlan({}, { imageSize: '1k' }), 0],
    ['an aspect ratio 3 Pro lacks', stagePlan({ model: 'gemini-3-pro-image' }, { aspectRatio: '4:1' }), 0],
  ])('refuses %s in plan() and in edit() without calling the service', async (_title, stage, refs) => {
    const e = engine();
    expect(() => e.plan(stage)).toThrow(ValidationError);
    const references = Array.from({ length: refs }, () => blue);
    await expect(e.edit({ stage, input: red, references })).rejects.toBeInstanceOf(ValidationError);
    expect(server.calls).toHaveLength(0);
  });

  it('is what the service validates too: the server refuses the same request sent directly', async () => {
    const { GoogleGenAI } = await import('@google/genai');
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.url } });
    const data = red.data.toString('base64');
    const images = Array.from({ length: 4 }, () => ({ inlineData: { mimeType: 'image/png', data } }));
    const err = await ai.models
      .generateContent({
        model: 'gemini-2.5-flash-image',
        contents: [{ role: 'user', parts: [{ text: 'x' }, ...images] }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 400 });
    expect(server.calls[0]?.reply).toBe('http 400');
  });
});
