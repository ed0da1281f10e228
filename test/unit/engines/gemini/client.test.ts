import { describe, expect, it } from 'vitest';
import { resolveGeminiClientSettings } from '../../../../shared/engines/gemini/client.js';
import { PermanentError } from '../../../../shared/errors.js';

interface TestData {
  title: string;
  env: NodeJS.ProcessEnv;
  expected: ReturnType<typeof resolveGeminiClientSettings>;
}

const cases: TestData[] = [
  {
    title: 'the Gemini API with GEMINI_API_KEY',
    env: { GEMINI_API_KEY: ' g ' },
    expected: { backend: 'gemini-api', apiKey: 'g', baseUrl: undefined },
  },
  {
    title: 'GOOGLE_API_KEY over GEMINI_API_KEY, and GOOGLE_GEMINI_BASE_URL',
    env: { GEMINI_API_KEY: 'g', GOOGLE_API_KEY: 'o', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9' },
    expected: { backend: 'gemini-api', apiKey: 'o', baseUrl: 'http://127.0.0.1:9' },
  },
  {
    title: 'Vertex with a project (ADC), the location defaulting to global, the key ignored as the SDK does',
    env: { GOOGLE_GENAI_USE_VERTEXAI: 'True', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_API_KEY: 'k' },
    expected: { backend: 'vertex', project: 'p', location: 'global', baseUrl: undefined },
  },
  {
    title: 'Vertex with a location and GOOGLE_VERTEX_BASE_URL',
    env: {
      GOOGLE_GENAI_USE_VERTEXAI: 'true',
      GOOGLE_CLOUD_PROJECT: 'p',
      GOOGLE_CLOUD_LOCATION: 'europe-west4',
      GOOGLE_VERTEX_BASE_URL: 'http://v',
      GOOGLE_GEMINI_BASE_URL: 'http://g',
    },
    expected: { backend: 'vertex', project: 'p', location: 'europe-west4', baseUrl: 'http://v' },
  },
  {
    title: 'Vertex express mode with only an API key',
    env: { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'k' },
    expected: { backend: 'vertex', apiKey: 'k', baseUrl: undefined },
  },
  {
    title: 'the Gemini API when the Vertex flag is not "true" (the SDK reads only "true")',
    env: { GOOGLE_GENAI_USE_VERTEXAI: '1', GEMINI_API_KEY: 'g' },
    expected: { backend: 'gemini-api', apiKey: 'g', baseUrl: undefined },
  },
];

describe('resolveGeminiClientSettings', () => {
  it.each(cases)('reads $title', ({ env, expected }) => {
    expect(resolveGeminiClientSettings(env)).toEqual(expected);
  });

  it.each([
    [{}, /GEMINI_API_KEY/],
    [{ GEMINI_API_KEY: '  ' }, /GEMINI_API_KEY/],
    [{ GOOGLE_GENAI_USE_VERTEXAI: 'true' }, /GOOGLE_CLOUD_PROJECT.*GOOGLE_API_KEY/],
  ])('throws ENGINE_NOT_CONFIGURED naming the variables for %j', (env, message) => {
    expect(() => resolveGeminiClientSettings(env)).toThrow(PermanentError);
    expect(() => resolveGeminiClientSettings(env)).toThrow(message);
  });
});
