import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type GoogleGenAI, type InlinedRequest } from '@google/genai';
import {
  type BatchClient,
  BatchCreateRejected,
  type RemoteBatch,
  type RemoteBatchResponse,
} from '../../batch/batch-client.js';
import { PermanentError } from '../../errors.js';
import { parseResponsesJsonl, requestsJsonl } from './batch-jsonl.js';
import { createGeminiClient, resolveGeminiClientSettings } from './client.js';

/** Batch jobs listed per page while looking for a display name. */
const LIST_PAGE_SIZE = 100;

/**
 * The BatchClient on Gemini Batch Mode (Developer API) through `@google/genai`. Inline requests
 * carry their key as `metadata.key`, file input as each JSONL line's `key` (batch-jsonl.ts);
 * answers are matched by it, never by position (the service has been seen to reorder large
 * batches, shared/reference/gemini-batch.md). A file-input batch's responses file is downloaded
 * to a temporary folder, read and removed.
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
    async create({ model, displayName, ...source }) {
      const src =
        'fileName' in source
          ? source.fileName
          : source.requests.map(({ key, request }) => ({ ...request, metadata: { key } }) as InlinedRequest);
      try {
        const job = await client().batches.create({ model, src, config: { displayName } });
        if (!job.name) throw new Error('the batch service answered a create without a name');
        return job.name;
      } catch (err) {
        throw _rejection(err);
      }
    },
    async uploadRequests({ name, requests }) {
      const text = requestsJsonl(requests);
      const bytes = Buffer.byteLength(text);
      try {
        const file = await client().files.upload({
          file: new Blob([text], { type: 'application/jsonl' }),
          config: { name, displayName: name, mimeType: 'jsonl' },
        });
        return file.name ?? name;
      } catch (err) {
        // Our name exists: an earlier upload whose answer was lost. The same requests, the same bytes.
        if (err instanceof ApiError && err.status === 409) {
          const existing = await client().files.get({ name });
          if (Number(existing.sizeBytes) === bytes) return name;
          throw new Error(
            `${name} exists with ${existing.sizeBytes} bytes, not the ${bytes} of these requests`,
            {
              cause: err,
            },
          );
        }
        throw _rejection(err);
      }
    },
    async deleteFile(name) {
      await client().files.delete({ name });
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
        responses: job.dest?.fileName
          ? await _downloadResponses(client(), job.dest.fileName)
          : job.dest?.inlinedResponses?.map((r) => ({
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

// ── internal ──────────────────────────────────────────────────────────────

/** A 4xx is a definite refusal; anything else (5xx, a lost answer) leaves the outcome unknown. */
function _rejection(err: unknown): unknown {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
    return new BatchCreateRejected(err.message, err.status, { cause: err });
  }
  return err;
}

/** `files.download` writes to disk (it returns nothing in 2.32.0): a private temporary folder. */
async function _downloadResponses(ai: GoogleGenAI, fileName: string): Promise<RemoteBatchResponse[]> {
  const dir = await mkdtemp(join(tmpdir(), 'darkroom-batch-'));
  try {
    const downloadPath = join(dir, 'responses.jsonl');
    await ai.files.download({ file: fileName, downloadPath });
    return parseResponsesJsonl(await readFile(downloadPath, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
