import { z } from 'zod';
import { describeError, TransientError } from '../errors.js';
import type { OutputRecord } from '../lineage/records.js';
import { ObjectNotFoundError } from '../storage/object-store.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { MANIFEST_FILE } from './layout.js';
import { ManifestSchema } from './manifest-schema.js';

/**
 * The fields of `manifest.json` that the job record repeats, typed by {@link ManifestSchema}; a
 * manifest missing one of the repeated summaries (older ones had no `savings`) gets its default.
 */
const ManifestSummarySchema = z.object({
  status: z.literal('succeeded'),
  outputs: ManifestSchema.shape.outputs,
  warnings: ManifestSchema.shape.warnings.catch([]),
  timings: ManifestSchema.shape.timings.catch({}),
  costUsd: ManifestSchema.shape.costUsd.catch(0),
  savings: ManifestSchema.shape.savings.catch({ engineCallsAvoided: 0, savedUsd: 0 }),
  checks: ManifestSchema.shape.checks.catch(undefined),
});
type ManifestSummary = z.infer<typeof ManifestSummarySchema>;

/**
 * Completes a job whose `manifest.json` an earlier attempt already wrote (it was killed, or
 * a write after the manifest failed): the manifest is the job's completion report, so the
 * job is marked succeeded from it, and nothing is encoded, paid for or reported again.
 * Finalize writes the manifest only after every output exists, so its presence proves them.
 * @returns the job's outputs when the manifest exists; undefined when it does not
 * @throws TransientError when the manifest cannot be read or is not one this pipeline wrote
 */
export async function completeFromManifest(
  deps: PipelineDeps,
  job: { jobId: string; prefix: string },
): Promise<OutputRecord[] | undefined> {
  const location = { bucket: deps.results.bucket, name: `${job.prefix}${MANIFEST_FILE}` };
  let bytes: Buffer;
  try {
    bytes = await deps.store.read(location);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  const summary = parseSummary(bytes, location.name);
  const outputs = [
    ...summary.outputs,
    { ...location, role: 'manifest', format: 'json', bytes: bytes.length },
  ];
  const now = new Date(nowOf(deps));
  await deps.lineage.updateJob(job.jobId, {
    status: 'succeeded',
    outputs,
    warnings: summary.warnings,
    timings: summary.timings,
    costUsd: summary.costUsd,
    savings: summary.savings,
    error: null,
    ...(summary.checks ? { checks: summary.checks } : {}),
    finishedAt: now,
    updatedAt: now,
    leaseExpiresAt: now,
  });
  deps.log.info('completed from the manifest an earlier attempt wrote', { jobId: job.jobId });
  return outputs;
}

function parseSummary(bytes: Buffer, name: string): ManifestSummary {
  try {
    const summary = ManifestSummarySchema.parse(JSON.parse(bytes.toString('utf8')));
    const { checks, ...rest } = summary;
    return { ...rest, ...(checks?.length ? { checks } : {}) };
  } catch (err) {
    // Only this pipeline writes under a job prefix; an unreadable manifest is a fault to look at.
    throw new TransientError(
      'INTERNAL',
      `${name} is not a manifest this pipeline wrote: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
}
