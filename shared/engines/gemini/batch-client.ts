import { ApiError, type GoogleGenAI, type InlinedRequest } from '@google/genai';
import { type BatchClient, BatchCreateRejected, type RemoteBatch } from '../../batch/batch-client.js';
import { PermanentError } from '../../errors.js';
import { createGeminiClient, resolveGeminiClientSettings } from './client.js';

/** Batch jobs listed per page while looking for a display name. */
const LIST_PAGE_SIZE = 100;

/**
 * The BatchClient on Gemini Batch Mode (Developer API) through `@google/genai`. Inline requests
 * carry their key as `metadata.key`; answers are matched by it, never by position (the service
 * has been seen to reorder large batches, shared/reference/gemini-batch.md).
 * @param options.env the SDK's standard variables (`GEMINI_API_KEY`, `GOOGLE_GEMINI_BASE_URL`, …)
 * @throws PermanentError ENGINE_NOT_CONFIGURED on first use for Vertex AI, whose batch jobs take
 *   only Cloud Storage or BigQuery input
 */
export function createGeminiBatchClient(options: { env: NodeJS.ProcessEnv }): BatchClient {
  let ai: GoogleGenAI | undefined;
  const client = () => {
    if (ai) return ai;
    const settings = resolveGeminiClientSettings(options.env);
    if (settings.backend !== 'gemini-api') {
      throw new PermanentError(
        'ENGINE_NOT_CONFIGURED',
        'the batch lane needs the Gemini Developer API (GEMINI_API_KEY): Vertex batch jobs take only gs:// or bq:// input',
      );
    }
    ai = createGeminiClient(settings);
    return ai;
  };
  return {
    async create({ model, displayName, requests }) {
      const src = requests.map(({ key, request }) => ({ ...request, metadata: { key } }) as InlinedRequest);
      try {
        const job = await client().batches.create({ model, src, config: { displayName } });
        if (!job.name) throw new Error('the batch service answered a create without a name');
        return job.name;
      } catch (err) {
        // A 4xx is a definite refusal; anything else (5xx, a lost answer) leaves the job unknown.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          throw new BatchCreateRejected(err.message, err.status, { cause: err });
        }
        throw err;
      }
    },
    async findByDisplayName(displayName) {
      const pager = await client().batches.list({ config: { pageSize: LIST_PAGE_SIZE } });
      for await (const job of pager) if (job.displayName === displayName) return job.name;
      return undefined;
    },
    async get(name): Promise<RemoteBatch> {
      const job = await client().batches.get({ name });
      const state = String(job.state ?? 'JOB_STATE_UNSPECIFIED')
        .replace(/^JOB_STATE_/, '')
        .toLowerCase();
      return {
        name,
        displayName: job.displayName,
        state,
        responses: job.dest?.inlinedResponses?.map((r) => ({
          key: typeof r.metadata?.key === 'string' ? r.metadata.key : undefined,
          response: r.response,
          error: r.error,
        })),
        error: job.error,
      };
    },
    async cancel(name) {
      await client().batches.cancel({ name });
    },
  };
}
