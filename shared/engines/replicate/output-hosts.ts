import { EngineError } from '../../errors.js';

/**
 * Where Replicate serves prediction outputs: `replicate.delivery` and its subdomains
 * (e.g. `pbxt.replicate.delivery`); see the output URLs in Replicate's HTTP API reference
 * (https://replicate.com/docs/reference/http#predictions.get).
 */
export const DEFAULT_REPLICATE_OUTPUT_HOSTS = ['replicate.delivery', '*.replicate.delivery'] as const;

/**
 * The hosts outputs may be downloaded from: `REPLICATE_OUTPUT_HOSTS` (comma-separated; `*.` allows
 * subdomains) or the defaults, plus the host of the API base URL (already trusted with the token;
 * a proxy or a test server serves outputs there).
 */
export function outputHostsFrom(env: NodeJS.ProcessEnv, baseUrl: string): string[] {
  const listed = (env.REPLICATE_OUTPUT_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return [...(listed.length > 0 ? listed : DEFAULT_REPLICATE_OUTPUT_HOSTS), new URL(baseUrl).host];
}

/**
 * Refuses an output URL that is not `https:` on an allowed host (or on the API's own host), before
 * anything is fetched: a prediction's output is data from a remote model, not a place to go.
 * @throws EngineError `ENGINE_BAD_OUTPUT`
 */
export function checkOutputUrl(url: string, hosts: readonly string[], apiBaseUrl: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new EngineError('ENGINE_BAD_OUTPUT', `Replicate: the output "${url.slice(0, 200)}" is not a URL`, {
      cause,
    });
  }
  const api = new URL(apiBaseUrl);
  const host = parsed.host.toLowerCase();
  const sameAsApi = parsed.origin === api.origin;
  const allowed = hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
  if (sameAsApi || (allowed && parsed.protocol === 'https:')) return;
  throw new EngineError(
    'ENGINE_BAD_OUTPUT',
    `Replicate: the output URL ${parsed.protocol}//${host}/… is not on an allowed output host (REPLICATE_OUTPUT_HOSTS: ${hosts.join(', ')}); it was not downloaded`,
    { details: { host } },
  );
}
