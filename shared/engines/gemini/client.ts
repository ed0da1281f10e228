import { GoogleGenAI, type GoogleGenAIOptions } from '@google/genai';
import { PermanentError } from '../../errors.js';

/** Which Google service the engine talks to, and how it authenticates. */
export interface GeminiClientSettings {
  backend: 'gemini-api' | 'vertex';
  /** `x-goog-api-key`: the Gemini API key, or a Vertex express-mode key. */
  apiKey?: string | undefined;
  /** Vertex project and location; when set, Vertex authenticates with Application Default Credentials. */
  project?: string | undefined;
  location?: string | undefined;
  /** `GOOGLE_GEMINI_BASE_URL` or `GOOGLE_VERTEX_BASE_URL`, when set. */
  baseUrl?: string | undefined;
}

/** Options of the SDK client that only tests and special deployments need. */
export type GeminiAuthOptions = GoogleGenAIOptions['googleAuthOptions'];

const read = (env: NodeJS.ProcessEnv, key: string): string | undefined => env[key]?.trim() || undefined;

/**
 * Reads the SDK's standard variables from an environment object, with the SDK's own precedence:
 * `GOOGLE_GENAI_USE_VERTEXAI=true` selects Vertex; `GOOGLE_API_KEY` wins over `GEMINI_API_KEY`;
 * on Vertex a project (location `global` unless `GOOGLE_CLOUD_LOCATION` says otherwise) wins over
 * an API key, which is otherwise used in express mode.
 * @param env the environment (the engine's `env` option, never read at import)
 * @returns the settings the client is built from
 * @throws PermanentError (ENGINE_NOT_CONFIGURED) naming the variables to set
 */
export function resolveGeminiClientSettings(env: NodeJS.ProcessEnv): GeminiClientSettings {
  const flag = read(env, 'GOOGLE_GENAI_USE_ENTERPRISE') ?? read(env, 'GOOGLE_GENAI_USE_VERTEXAI');
  const apiKey = read(env, 'GOOGLE_API_KEY') ?? read(env, 'GEMINI_API_KEY');
  if (flag?.toLowerCase() !== 'true') {
    if (!apiKey) {
      throw new PermanentError(
        'ENGINE_NOT_CONFIGURED',
        'The gemini engine has no credentials: set GEMINI_API_KEY (or GOOGLE_API_KEY) for the Gemini API, ' +
          'or GOOGLE_GENAI_USE_VERTEXAI=true with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION for Vertex AI',
      );
    }
    return { backend: 'gemini-api', apiKey, baseUrl: read(env, 'GOOGLE_GEMINI_BASE_URL') };
  }
  const project = read(env, 'GOOGLE_CLOUD_PROJECT');
  const baseUrl = read(env, 'GOOGLE_VERTEX_BASE_URL');
  if (project) {
    return { backend: 'vertex', project, location: read(env, 'GOOGLE_CLOUD_LOCATION') ?? 'global', baseUrl };
  }
  if (apiKey) return { backend: 'vertex', apiKey, baseUrl };
  throw new PermanentError(
    'ENGINE_NOT_CONFIGURED',
    'The gemini engine is set to Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true) but has no project: ' +
      'set GOOGLE_CLOUD_PROJECT (and GOOGLE_CLOUD_LOCATION, default global), or GOOGLE_API_KEY for express mode',
  );
}

/**
 * Builds the SDK client with every setting passed explicitly, so the SDK's own reads of
 * `process.env` cannot disagree with the engine's `env`. The SDK does not retry: no `retryOptions`
 * are set, the engine retries itself.
 * @param settings from {@link resolveGeminiClientSettings}
 * @param googleAuthOptions passed to google-auth-library for Vertex with a project (tests inject a client)
 */
export function createGeminiClient(
  settings: GeminiClientSettings,
  googleAuthOptions?: GeminiAuthOptions,
): GoogleGenAI {
  const options: GoogleGenAIOptions = { vertexai: settings.backend === 'vertex' };
  if (settings.apiKey) options.apiKey = settings.apiKey;
  if (settings.project) options.project = settings.project;
  if (settings.location) options.location = settings.location;
  if (settings.baseUrl) options.httpOptions = { baseUrl: settings.baseUrl };
  if (googleAuthOptions) options.googleAuthOptions = googleAuthOptions;
  return new GoogleGenAI(options);
}
