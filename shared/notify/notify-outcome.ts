import type { Outcome } from '../pipeline/index.js';
import { type NotifyDeps, notifyCompletion } from './notify-completion.js';

/**
 * Announces what an arrival came to, when it ended a job: `succeeded`, `failed`, or a
 * duplicate delivery of a job that had ended (which publishes only what is not yet
 * recorded). Waiting, busy, retried and superseded arrivals announce nothing.
 * @param deps lineage, log and the configured channels
 * @param outcome what `handleObject` returned
 * @throws TransientError `NOTIFY_UNAVAILABLE` (see {@link notifyCompletion})
 */
export async function notifyOutcome(deps: NotifyDeps, outcome: Outcome): Promise<void> {
  const ended =
    outcome.kind === 'succeeded' ||
    outcome.kind === 'failed' ||
    (outcome.kind === 'duplicate' && outcome.status !== 'running');
  if (ended) await notifyCompletion(deps, outcome.jobId);
}
