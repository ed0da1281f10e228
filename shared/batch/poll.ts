import { nowOf } from '../pipeline/deps.js';
import type { RemoteBatch } from './batch-client.js';
import type { BatchDeps } from './batch-deps.js';
import type { BatchMember, BatchRecord, BatchState } from './records.js';
import { type ResumeResult, resumeBatchJob } from './resume.js';

/** What one poll of the live batches did. */
export interface PollReport {
  /** Every live batch with the state the service reported. */
  batches: { id: string; name?: string | undefined; state: string; requests: number }[];
  /** Jobs continued because their answers are in. */
  resumed: ResumeResult[];
}

/**
 * Polls every submitted batch. A finished one is applied: each answer is matched to its stage by
 * key and stored beside the job's outputs (the stage then reads it with the engine's own checks);
 * a request that failed inside the batch, or has no answer, fails that stage only. An expired
 * or cancelled batch returns its stages to waiting (`BATCH_EXPIRED_RESUBMITS` times) or fails them
 * with BATCH_EXPIRED / BATCH_CANCELLED; a batch cancelled with `darkroom batch cancel` (its record
 * names who cancelled it) fails them with BATCH_CANCELLED at once, never resubmitted. Then every job whose answers
 * are all in continues (resume.ts).
 */
export async function pollBatches(deps: BatchDeps): Promise<PollReport> {
  const report: PollReport = { batches: [], resumed: [] };
  const jobs = new Set<string>();
  for (const batch of await deps.batches.listBatches({ states: ['submitted'] })) {
    const remote = await deps.batchClient.get(batch.name as string);
    report.batches.push({ id: batch.id, name: batch.name, state: remote.state, requests: batch.keys.length });
    const finished = await _apply(deps, batch, remote);
    if (!finished) {
      if (remote.state !== batch.remoteState) {
        await deps.batches.updateBatch(batch.id, {
          remoteState: remote.state,
          updatedAt: new Date(nowOf(deps)),
        });
      }
      continue;
    }
    for (const m of finished) jobs.add(m.jobId);
  }
  for (const jobId of jobs) report.resumed.push(await resumeBatchJob(deps, jobId));
  return report;
}

// ── internal ──────────────────────────────────────────────────────────────

const FINAL: Record<string, BatchState> = {
  succeeded: 'succeeded',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** @returns the batch's members once it finished (their records updated), undefined while it runs */
async function _apply(
  deps: BatchDeps,
  batch: BatchRecord,
  remote: RemoteBatch,
): Promise<BatchMember[] | undefined> {
  const state = FINAL[remote.state];
  if (!state) return undefined;
  const now = new Date(nowOf(deps));
  const members = (await Promise.all(batch.keys.map((k) => deps.batches.getMember(k)))).filter(
    (m): m is BatchMember => m !== undefined && m.batchId === batch.id && m.state === 'submitted',
  );
  const resubmits = deps.config.batch.expiredResubmits;
  // Read again: a `darkroom batch cancel` may have recorded itself since the batch was listed.
  const byUser = state === 'cancelled' ? (await deps.batches.getBatch(batch.id))?.cancelledBy : undefined;
  const answers = new Map((remote.responses ?? []).filter((r) => r.key).map((r) => [r.key as string, r]));
  for (const m of members) {
    if (state === 'succeeded') {
      const answer = answers.get(m.key);
      if (answer?.response !== undefined && !answer.error) {
        const response = {
          bucket: m.request.bucket,
          name: m.request.name.replace(/\.request\.json$/, `.r${m.round}.response.json`),
        };
        await deps.store.create(response, Buffer.from(JSON.stringify(answer.response)), {
          contentType: 'application/json',
          customTime: now,
        });
        await deps.batches.updateMember(m.key, { state: 'succeeded', response, updatedAt: now });
        continue;
      }
      const why = answer?.error
        ? `the request failed inside batch ${batch.id} (${answer.error.code ?? '?'}): ${answer.error.message ?? 'no message'}`
        : `batch ${batch.id} finished without an answer for ${m.key}`;
      await _fail(deps, m, 'BATCH_REQUEST_FAILED', why, now);
    } else if ((state === 'expired' || state === 'cancelled') && !byUser && m.round < resubmits) {
      // Back to waiting for the next collector run: a new round, so a new membership.
      await deps.batches.updateMember(m.key, {
        state: 'waiting',
        round: m.round + 1,
        batchId: null,
        waitingSince: now,
        updatedAt: now,
      });
    } else if (state === 'expired') {
      await _fail(
        deps,
        m,
        'BATCH_EXPIRED',
        `batch ${batch.id} expired before it ran (resubmitted ${m.round} time(s))`,
        now,
      );
    } else if (state === 'cancelled') {
      const why = byUser
        ? `batch ${batch.id} was cancelled by ${byUser.by} (darkroom batch cancel)`
        : `batch ${batch.id} was cancelled by the batch service (resubmitted ${m.round} time(s))`;
      await _fail(deps, m, 'BATCH_CANCELLED', why, now);
    } else {
      await _fail(
        deps,
        m,
        'BATCH_REQUEST_FAILED',
        `batch ${batch.id} failed: ${remote.error?.message ?? 'no message'}`,
        now,
      );
    }
  }
  await deps.batches.updateBatch(batch.id, {
    state,
    remoteState: remote.state,
    updatedAt: now,
    finishedAt: now,
  });
  deps.log.info('batch finished', { id: batch.id, state, requests: members.length });
  const input = batch.input?.kind === 'file' ? batch.input.fileName : undefined;
  if (input) {
    // Best effort: the file would expire on its own in 48 h, but it counts against 20 GB until then.
    await deps.batchClient.deleteFile(input).catch((err: unknown) => {
      deps.log.warn('could not delete a batch input file', { id: batch.id, file: input, error: String(err) });
    });
  }
  return members;
}

async function _fail(
  deps: BatchDeps,
  m: BatchMember,
  code: string,
  message: string,
  now: Date,
): Promise<void> {
  await deps.batches.updateMember(m.key, { state: 'failed', error: { code, message }, updatedAt: now });
}
