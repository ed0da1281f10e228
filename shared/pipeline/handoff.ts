import type { TransientError } from '../errors.js';
import type { JobContext } from './job-context.js';
import { countedAttempts } from './quota-wait.js';
import type { PlannedStage } from './types.js';

/**
 * Tasks-mode dispatch, the pipeline's side (docs/dispatch.md). With a `tasks` dispatcher, an
 * attempt runs only a window of the job's stages: the storage event runs none (it claims,
 * plans and checks, then hands the first pending stage to its queue); a `runStage` worker runs
 * the pending stages that share the first one's queue, then hands the next one on. Hand-offs
 * and a model's "not now" are free attempts: they do not count against `MAX_ATTEMPTS`.
 */

/** The stage an attempt hands to a queue instead of running it. */
export interface Handoff {
  kind: 'handoff';
  stage: PlannedStage;
  queue: string;
}

/** What an attempt runs: a prefix of the planned stages, then a hand-off or the finalize. */
export interface StageWindow {
  run: PlannedStage[];
  /** Set when the window ends before the last stage. */
  handoff?: Handoff | undefined;
}

/** @returns true for the value `runJob` returns when it handed the job to a queue. */
export function isHandoff(value: unknown): value is Handoff {
  return (value as { kind?: unknown } | null)?.kind === 'handoff';
}

/**
 * The stages this attempt runs (see the module comment). Inline dispatch runs them all.
 * @param planned every planned stage of the job, in order
 */
export async function stageWindow(ctx: JobContext, planned: PlannedStage[]): Promise<StageWindow> {
  const dispatcher = ctx.deps.dispatcher;
  if (!dispatcher || dispatcher.mode === 'inline') return { run: planned };
  const recorded = new Set((await ctx.deps.lineage.listStages(ctx.job.id)).map((s) => s.index));
  const first = planned.findIndex((s) => !recorded.has(s.index));
  if (first === -1) return { run: planned };
  const queueOf = (s: PlannedStage) =>
    dispatcher.queueFor({ engine: s.engine.name, model: s.enginePlan.model });
  const stage = planned[first] as PlannedStage;
  if (ctx.role !== 'worker') return { run: [], handoff: { kind: 'handoff', stage, queue: queueOf(stage) } };
  const queue = queueOf(stage);
  let end = first + 1;
  while (end < planned.length && queueOf(planned[end] as PlannedStage) === queue) end++;
  const next = planned[end];
  return {
    run: planned.slice(0, end),
    handoff: next ? { kind: 'handoff', stage: next, queue: queueOf(next) } : undefined,
  };
}

/**
 * Hands the job to the queue of `handoff.stage`: releases the lease (so the worker can claim at
 * once) and marks this attempt free, then creates the task. A failed create restores the count
 * and rethrows, so the failure is an ordinary counted transient one.
 * @returns false when a later attempt owns the job (nothing was written)
 */
export async function handOff(ctx: JobContext, handoff: Handoff): Promise<boolean> {
  const { deps } = ctx;
  if (!deps.dispatcher) return false;
  const free = ctx.job.freeAttempts ?? 0;
  const task = {
    jobId: ctx.job.id,
    stage: handoff.stage.index,
    attempt: countedAttempts(ctx.job, ctx.attempt),
  };
  const now = new Date(ctx.now());
  // Fenced: the lease is released and the attempt made free only while this attempt owns the job.
  const owned = await deps.lineage.updateJobIfCurrent(ctx.job.id, {
    fence: { attempt: ctx.attempt },
    patch: { leaseExpiresAt: now, freeAttempts: free + 1, updatedAt: now },
  });
  if (!owned) return false;
  try {
    const created = await deps.dispatcher.enqueue(task, handoff.queue);
    ctx.log.info('stage handed to its queue', { ...task, queue: handoff.queue, task: created });
    return true;
  } catch (err) {
    await deps.lineage
      .updateJobIfCurrent(ctx.job.id, { fence: { attempt: ctx.attempt }, patch: { freeAttempts: free } })
      .catch(() => undefined);
    throw err;
  }
}

/**
 * A model's "not now" in a worker: release the lease and mark the attempt free, so that the
 * queue's retry (not this invocation) carries the wait.
 * @returns false when a later attempt owns the job (nothing was written)
 */
export async function deferJob(ctx: JobContext, error: TransientError): Promise<boolean> {
  const now = new Date(ctx.now());
  // Fenced: a superseded worker must not release its successor's lease or free its attempt.
  const owned = await ctx.deps.lineage.updateJobIfCurrent(ctx.job.id, {
    fence: { attempt: ctx.attempt },
    patch: {
      leaseExpiresAt: now,
      freeAttempts: (ctx.job.freeAttempts ?? 0) + 1,
      error: { code: error.code, message: error.message },
      updatedAt: now,
    },
  });
  if (!owned) return false;
  ctx.log.info('the model said not now; the queue will retry the stage', {
    code: error.code,
    status: error.status,
    retryAfterMs: error.retryAfterMs,
  });
  return true;
}
