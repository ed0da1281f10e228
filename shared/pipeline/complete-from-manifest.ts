import { describeError, TransientError } from '../errors.js';
import type { OutputRecord } from '../lineage/records.js';
import type { CheckResult } from '../marketplace/index.js';
import { ObjectNotFoundError } from '../storage/object-store.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { MANIFEST_FILE } from './layout.js';

/** The fields of `manifest.json` that the job record repeats. */
interface ManifestSummary {
  outputs: OutputRecord[];
  warnings: string[];
  timings: Record<string, number>;
  costUsd: number;
  savings: { engineCallsAvoided: number; savedUsd: number };
  /** Marketplace and output checks, when the job had any. */
  checks?: CheckResult[] | undefined;
}

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
    const m = JSON.parse(bytes.toString('utf8')) as Partial<ManifestSummary> & { status?: unknown };
    if (m.status !== 'succeeded' || !Array.isArray(m.outputs)) throw new Error('no succeeded outputs');
    return {
      outputs: m.outputs,
      warnings: Array.isArray(m.warnings) ? m.warnings : [],
      timings: m.timings ?? {},
      costUsd: typeof m.costUsd === 'number' ? m.costUsd : 0,
      savings: m.savings ?? { engineCallsAvoided: 0, savedUsd: 0 },
      ...(Array.isArray(m.checks) && m.checks.length ? { checks: m.checks } : {}),
    };
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
