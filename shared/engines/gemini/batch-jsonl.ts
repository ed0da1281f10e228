import type { KeyedRequest, RemoteBatchResponse } from '../../batch/batch-client.js';

/**
 * The JSONL of Gemini Batch Mode's file input and output (shared/reference/gemini-batch.md,
 * "JSONL"): one `{"key", "request"}` line per request, where the request is the REST
 * `GenerateContentRequest` (`generationConfig`, not the SDK's `config`); each output line carries
 * the key back with a `response` or an `error`.
 */

/** `GenerateContentConfig` fields that are request fields in REST, not `generationConfig` ones. */
const REQUEST_LEVEL = [
  'systemInstruction',
  'safetySettings',
  'tools',
  'toolConfig',
  'cachedContent',
] as const;
/** SDK-only fields that are never sent. */
const CLIENT_ONLY = ['httpOptions', 'abortSignal'] as const;

/**
 * @param request an `InlinedRequest` (`contents`, `config`) as the batch lane prepares it
 * @returns the same request as REST JSON
 */
export function restRequestOf(request: Record<string, unknown>): Record<string, unknown> {
  const { config, ...rest } = request as { config?: Record<string, unknown> };
  const out: Record<string, unknown> = { ...rest };
  const generationConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config ?? {})) {
    if (v === undefined || (CLIENT_ONLY as readonly string[]).includes(k)) continue;
    if ((REQUEST_LEVEL as readonly string[]).includes(k)) out[k] = v;
    else generationConfig[k] = v;
  }
  if (Object.keys(generationConfig).length > 0) out.generationConfig = generationConfig;
  return out;
}

/** @returns the input file's text: one line per request */
export function requestsJsonl(requests: KeyedRequest[]): string {
  return requests
    .map(({ key, request }) => `${JSON.stringify({ key, request: restRequestOf(request) })}\n`)
    .join('');
}

/**
 * @param text a responses file
 * @returns its answers; a line that is not JSON becomes an answer without a key (its stage then
 *   counts as unanswered)
 */
export function parseResponsesJsonl(text: string): RemoteBatchResponse[] {
  const out: RemoteBatchResponse[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let item: { key?: unknown; response?: unknown; error?: { code?: number; message?: string } };
    try {
      item = JSON.parse(line);
    } catch {
      out.push({ error: { message: 'a line of the responses file is not JSON' } });
      continue;
    }
    out.push({
      key: typeof item.key === 'string' ? item.key : undefined,
      response: item.response,
      error: item.error,
    });
  }
  return out;
}
