import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createGeminiEngine, type GeminiEngineOptions } from '../../../../shared/engines/gemini/index.js';
import { ValidationError } from '../../../../shared/errors.js';
import { stagePlan } from '../../../support/gemini-server/harness.js';
import { near, pixelAt, solidImage } from '../../../support/gemini-server/images.js';
import { type GeminiServer, startGeminiServer } from '../../../support/gemini-server.js';

let server: GeminiServer;
let input: EngineImage;
let reference: EngineImage;

beforeAll(async () => {
  server = await startGeminiServer();
  input = await solidImage([255, 0, 0], 300, 200);
  reference = await solidImage([0, 0, 255], 100, 100);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** Stands in for Application Default Credentials: google-auth-library asks it for headers. */
const fakeAuthClient = {
  getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-adc-token' }),
};
const googleAuthOptions = {
  authClient: fakeAuthClient,
} as unknown as GeminiEngineOptions['googleAuthOptions'];

describe('gemini engine on Vertex AI', () => {
  it('calls the project/location path with ADC credentials', async () => {
    const engine = createGeminiEngine({
      env: {
        GOOGLE_GENAI_USE_VERTEXAI: 'true',
        GOOGLE_CLOUD_PROJECT: 'darkroom-test',
        GOOGLE_CLOUD_LOCATION: 'us-central1',
        GOOGLE_VERTEX_BASE_URL: server.url,
      },
      googleAuthOptions,
    });
    const result = await engine.edit({
      stage: stagePlan({ referenceCount: 1 }, { seed: 5 }),
      input,
      references: [reference],
    });
    const call = server.calls[0];
    expect(call?.path).toBe(
      '/v1beta1/projects/darkroom-test/locations/us-central1/publishers/google/models/gemini-3.1-flash-image:generateContent',
    );
    expect(call?.headers.authorization).toBe('Bearer fake-adc-token');
    expect(call?.headers['x-goog-api-key']).toBeUndefined();
    expect(call?.images).toHaveLength(2);
    expect(call?.generationConfig?.seed).toBe(5);
    expect(result.details).toMatchObject({ backend: 'vertex', seed: 5 });
    expect(near(await pixelAt(result.image.data, 5, 5), [0, 0, 255])).toBe(true);
  });

  it('calls the publisher path in express mode with an API key', async () => {
    const engine = createGeminiEngine({
      env: {
        GOOGLE_GENAI_USE_VERTEXAI: 'true',
        GOOGLE_API_KEY: 'vertex-key',
        GOOGLE_VERTEX_BASE_URL: server.url,
      },
    });
    await engine.edit({ stage: stagePlan({ model: 'gemini-3-pro-image' }), input, references: [] });
    expect(server.calls[0]?.path).toBe(
      '/v1beta1/publishers/google/models/gemini-3-pro-image:generateContent',
    );
    expect(server.calls[0]?.headers['x-goog-api-key']).toBe('vertex-key');
  });

  it('applies the same model limits before any call', async () => {
    const engine = createGeminiEngine({
      env: { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'k', GOOGLE_VERTEX_BASE_URL: server.url },
    });
    const stage = stagePlan({ model: 'gemini-2.5-flash-image', referenceCount: 3 });
    await expect(
      engine.edit({ stage, input, references: [reference, reference, reference] }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(server.calls).toHaveLength(0);
  });
});
