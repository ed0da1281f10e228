import { nowOf } from '../pipeline/deps.js';
import { FINISHED_BATCH_STATES } from './records.js';
import type { BatchDeps } from './submit.js';

/** What {@link cancelBatch} came to. */
export type CancelResult = { kind: 'cancelled'; id: string; name: string } | { kind: 'not-live'; id: string };

/**
 * Cancels a batch job at a user's request. Who cancelled is recorded on `batches/{id}` before the
 * service is asked, so the poll that sees the job CANCELLED fails its stages with BATCH_CANCELLED
 * instead of returning them to waiting (a cancellation from elsewhere follows
 * `BATCH_EXPIRED_RESUBMITS`, like an expiry).
 * @param id the batch id (`darkroom-…`)
 * @param options.by who cancels (a user name or an account)
 * @returns `not-live` when there is no such batch, it has no name yet, or it already finished
 */
export async function cancelBatch(
  deps: BatchDeps,
  id: string,
  options: { by: string },
): Promise<CancelResult> {
  const batch = await deps.batches.getBatch(id);
  if (!batch?.name || FINISHED_BATCH_STATES.includes(batch.state)) return { kind: 'not-live', id };
  const now = new Date(nowOf(deps));
  await deps.batches.updateBatch(id, { cancelledBy: { by: options.by, at: now }, updatedAt: now });
  await deps.batchClient.cancel(batch.name);
  deps.log.info('batch cancelled by a user', { id, name: batch.name, by: options.by });
  return { kind: 'cancelled', id, name: batch.name };
}
