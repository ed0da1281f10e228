import { z } from 'zod';
import type { JobRecord } from '../lineage/records.js';

/** `ce-type` of a job outcome, versioned so a consumer can refuse shapes it does not know. */
export const COMPLETION_TYPES = {
  succeeded: 'dev.darkroom.job.v1.succeeded',
  failed: 'dev.darkroom.job.v1.failed',
} as const;

/**
 * Pub/Sub allows 100 attributes per message; the fixed ones take 11, so at most this many
 * labels travel as `label.<key>` attributes (all of them are always in the data).
 * https://cloud.google.com/pubsub/quotas#resource_limits
 */
export const MAX_LABEL_ATTRIBUTES = 80;

/** A job outcome as integrations receive it (Pub/Sub message data, webhook body). */
export const CompletionSummarySchema = z.object({
  type: z.enum([COMPLETION_TYPES.succeeded, COMPLETION_TYPES.failed]),
  jobId: z.string(),
  status: z.enum(['succeeded', 'failed']),
  source: z.object({ bucket: z.string(), name: z.string(), generation: z.string().optional() }).optional(),
  /** `gs://` URI of `manifest.json` (succeeded) or `error.json` (failed). */
  reportUri: z.string(),
  labels: z.record(z.string(), z.string()),
  finishedAt: z.iso.datetime().optional(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      stage: z.number().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  outputs: z
    .array(
      z.object({
        role: z.string(),
        uri: z.string(),
        format: z.string(),
        width: z.number().optional(),
        height: z.number().optional(),
      }),
    )
    .optional(),
  costUsd: z.number().optional(),
});
export type CompletionSummary = z.infer<typeof CompletionSummarySchema>;

/** One outcome, ready to publish: CloudEvents binary-mode attributes, data, ordering key. */
export interface CompletionEvent {
  id: string;
  attributes: Record<string, string>;
  summary: CompletionSummary;
  /** The source object name: one image's outcomes arrive in order. */
  orderingKey: string;
}

/**
 * Builds the completion event of a job that ended.
 * @param job a job whose status is `succeeded` or `failed`
 * @returns the event
 * @throws Error when the job has not ended: an unfinished job never announces anything
 */
export function completionEvent(job: JobRecord): CompletionEvent {
  if (job.status !== 'succeeded' && job.status !== 'failed') {
    throw new Error(`job ${job.id} has not ended (status ${job.status}): nothing to announce`);
  }
  const source = job.inputs.image ?? job.inputs.request;
  const report = `${job.results.prefix}${job.status === 'succeeded' ? 'manifest.json' : 'error.json'}`;
  const reportUri = `gs://${job.results.bucket}/${report}`;
  const summary: CompletionSummary = {
    type: COMPLETION_TYPES[job.status],
    jobId: job.id,
    status: job.status,
    source: source && { bucket: source.bucket, name: source.name, generation: source.generation },
    reportUri,
    labels: job.labels ?? {},
    finishedAt: job.finishedAt?.toISOString(),
    ...(job.status === 'failed' ? { error: job.error } : {}),
    ...(job.status === 'succeeded'
      ? {
          outputs: (job.outputs ?? []).map((o) => ({
            role: o.role,
            uri: `gs://${o.bucket}/${o.name}`,
            format: o.format,
            ...(o.width !== undefined ? { width: o.width } : {}),
            ...(o.height !== undefined ? { height: o.height } : {}),
          })),
          costUsd: job.costUsd,
        }
      : {}),
  };
  const subject = source ? `gs://${source.bucket}/${source.name}` : job.sourceKey;
  const attributes: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-type': summary.type,
    'ce-source': `//storage.googleapis.com/projects/_/buckets/${job.results.bucket}`,
    'ce-id': job.id,
    'ce-subject': subject,
    'ce-time': summary.finishedAt ?? new Date(0).toISOString(),
    'content-type': 'application/json',
    jobId: job.id,
    status: job.status,
    [job.status === 'succeeded' ? 'manifestUri' : 'errorUri']: reportUri,
  };
  if (job.status === 'failed' && job.error) attributes.code = job.error.code;
  for (const [key, value] of Object.entries(summary.labels).slice(0, MAX_LABEL_ATTRIBUTES)) {
    attributes[`label.${key}`] = value;
  }
  return { id: job.id, attributes, summary, orderingKey: source?.name ?? job.sourceKey };
}
