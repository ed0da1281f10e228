import { nowOf } from '../pipeline/deps.js';
import { resumeStageTask } from '../pipeline/resume-task.js';
import type { Outcome } from '../pipeline/types.js';
import type { BatchDeps } from './batch-deps.js';

/** What resuming a job came to. */
export type ResumeResult =
  | { kind: 'not-ready'; jobId: string }
  | { kind: 'queued'; jobId: string; stage: number; queue: string }
  | { kind: 'ran'; jobId: string; outcome: Outcome };

/**
 * Continues a `waiting-batch` job once every stage it waits for has its answer (or its failure):
 * the job is set running with its lease expired, then taken up like a stage task — through the
 * dispatcher's queue in tasks mode, in this process otherwise. The attempt that takes it over reads
 * the answers (lane.ts) and goes on to the next stage or the finalize.
 * @param jobId the job to continue
 */
export async function resumeBatchJob(deps: BatchDeps, jobId: string): Promise<ResumeResult> {
  const job = await deps.lineage.getJob(jobId);
  if (job?.status !== 'waiting-batch') return { kind: 'not-ready', jobId };
  const keys = job.waitingBatch ?? [];
  const members = await Promise.all(keys.map((k) => deps.batches.getMember(k)));
  if (members.some((m) => !m || (m.state !== 'succeeded' && m.state !== 'failed'))) {
    return { kind: 'not-ready', jobId };
  }
  const now = new Date(nowOf(deps));
  await deps.lineage.updateJob(jobId, {
    status: 'running',
    waitingBatch: [],
    leaseExpiresAt: now,
    updatedAt: now,
  });
  const first = members.reduce((a, m) => Math.min(a, m?.stage ?? a), Number.MAX_SAFE_INTEGER);
  const dispatcher = deps.dispatcher;
  if (dispatcher && dispatcher.mode === 'tasks') {
    const member = members.find((m) => m?.stage === first);
    const queue = dispatcher.queueFor({ engine: member?.engine ?? 'gemini', model: member?.model ?? '' });
    // The task is named from job, stage and attempt: the next attempt number is unused, so this
    // task never collides with the hand-off that brought the job to this stage before it parked.
    await dispatcher.enqueue({ jobId, stage: first, attempt: job.attempt + 1 }, queue);
    return { kind: 'queued', jobId, stage: first, queue };
  }
  return { kind: 'ran', jobId, outcome: await resumeStageTask(deps, { jobId, stage: first }) };
}
