import type { Clock } from '../../clock.js';
import { EngineError, TransientError } from '../../errors.js';
import type { CreateArgs, ReplicateApi } from './api.js';
import { type Prediction, TERMINAL_STATUSES } from './api-types.js';
import type { Budget } from './http-client.js';

/**
 * The life of one prediction: resume the checkpointed one or create one (`Prefer: wait`,
 * `Cancel-After` inside the budget), checkpoint its id before any wait, then poll until it
 * is terminal or the budget runs out.
 *
 * ```
 * resumeFrom.predictionId? ─ yes ─► GET ─► usable? ─ yes ──────────────┐
 *        │ no                                 │ no (aborted, canceled   │
 *        ▼                                    ▼  by our deadline, gone) │
 *   create (once; a network error is never re-sent) ─► checkpoint ─► poll ─► terminal
 * ```
 */

// A cancel this close to our own Cancel-After deadline is taken as ours (clocks and transit differ).
const DEADLINE_SLACK_MS = 5_000;

/** Timing knobs of the lifecycle. */
export interface LifecycleTiming {
  /** Longest `Prefer: wait`, 1–60 s. */
  maxWaitSeconds: number;
  pollIntervalMs: number;
  /** Below this much remaining budget no prediction is created. */
  minCreateBudgetMs: number;
}

/** The checkpoint the engine records before waiting; `resumeFrom` gives it back. */
export interface PredictionCheckpoint {
  predictionId: string;
  model: string;
  version?: string | undefined;
  /** Clock time at which `Cancel-After` ends the prediction. */
  cancelAt: number;
  [key: string]: unknown;
}

/** A prediction that reached a terminal status, and how we got there. */
export interface LifecycleResult {
  prediction: Prediction;
  resumed: boolean;
  /** Ids of checkpointed predictions that could not be used and were replaced. */
  replaced: string[];
  warnings: string[];
}

/**
 * @param options API, clock, budget, timing, the create arguments (built lazily: inputs are
 *   only uploaded when a prediction is really created), checkpoint and resume hooks
 * @returns the terminal prediction
 * @throws TransientError when the budget runs out first (`DEADLINE_EXCEEDED`) or the create call is lost
 */
export async function runLifecycle(options: {
  api: ReplicateApi;
  clock: Clock;
  budget: Budget;
  timing: LifecycleTiming;
  model: string;
  buildCreate: () => Promise<Omit<CreateArgs, 'waitSeconds' | 'cancelAfterSeconds'>>;
  checkpoint?: ((details: Record<string, unknown>) => Promise<void>) | undefined;
  resumeFrom?: Record<string, unknown> | undefined;
  checkpointExtra?: () => Record<string, unknown>;
}): Promise<LifecycleResult> {
  const { api, clock, budget, timing, model } = options;
  const warnings: string[] = [];
  const replaced: string[] = [];
  let prediction = await _resume(options, warnings, replaced);
  const resumed = prediction !== undefined;
  const resumedCancelAt = options.resumeFrom?.cancelAt;
  let cancelAt = resumed && typeof resumedCancelAt === 'number' ? resumedCancelAt : undefined;

  if (!prediction) {
    const remaining = budget.deadline - clock.now();
    if (remaining < timing.minCreateBudgetMs) {
      throw new TransientError(
        'DEADLINE_EXCEEDED',
        `Replicate: ${Math.max(0, Math.round(remaining / 1000))} s left, too little to start a prediction of ${model}`,
      );
    }
    const args = await options.buildCreate();
    const left = budget.deadline - clock.now();
    const waitSeconds = Math.max(1, Math.min(60, timing.maxWaitSeconds, Math.floor(left / 1000) - 1));
    const cancelAfterSeconds = Math.max(1, Math.floor(left / 1000));
    cancelAt = clock.now() + cancelAfterSeconds * 1000;
    prediction = await api.create({ ...args, waitSeconds, cancelAfterSeconds }, budget);
    const checkpoint: PredictionCheckpoint = {
      predictionId: prediction.id,
      model,
      version: args.version,
      cancelAt,
      ...options.checkpointExtra?.(),
    };
    await options.checkpoint?.(checkpoint);
  }

  while (!TERMINAL_STATUSES.has(prediction.status)) {
    if (clock.now() + timing.pollIntervalMs > budget.deadline) {
      throw new TransientError(
        'DEADLINE_EXCEEDED',
        `Replicate: prediction ${prediction.id} (${model}) is still ${prediction.status} at the end of the time budget; a redelivery resumes it`,
        { details: { predictionId: prediction.id, status: prediction.status } },
      );
    }
    await clock.sleep(timing.pollIntervalMs, budget.signal);
    prediction = await api.get(prediction, budget);
  }
  if (
    prediction.status === 'canceled' &&
    cancelAt !== undefined &&
    clock.now() >= cancelAt - DEADLINE_SLACK_MS
  ) {
    // Our own Cancel-After ended it at the end of the budget: a redelivery replaces it.
    throw new TransientError(
      'DEADLINE_EXCEEDED',
      `Replicate: prediction ${prediction.id} (${model}) reached its Cancel-After deadline at the end of the time budget`,
      { details: { predictionId: prediction.id, status: prediction.status } },
    );
  }
  return { prediction, resumed, replaced, warnings };
}

/**
 * Turns a terminal status other than `succeeded` into its error.
 * @throws EngineError (`failed`, `canceled`) or TransientError (`aborted`: unbilled, worth another try)
 */
export function assertSucceeded(prediction: Prediction, model: string): void {
  if (prediction.status === 'succeeded') return;
  const modelError =
    typeof prediction.error === 'string' ? prediction.error : JSON.stringify(prediction.error ?? null);
  const details = {
    predictionId: prediction.id,
    status: prediction.status,
    error: prediction.error ?? null,
    logsTail: prediction.logs ? prediction.logs.slice(-1000) : undefined,
  };
  const text = prediction.error ? `: ${modelError}` : '';
  if (prediction.status === 'failed') {
    throw new EngineError(
      'ENGINE_PREDICTION_FAILED',
      `Replicate: prediction ${prediction.id} of ${model} failed${text}`,
      {
        details,
      },
    );
  }
  if (prediction.status === 'canceled') {
    throw new EngineError(
      'ENGINE_PREDICTION_CANCELED',
      `Replicate: prediction ${prediction.id} of ${model} was canceled${text}`,
      { details },
    );
  }
  throw new TransientError(
    'ENGINE_PREDICTION_ABORTED',
    `Replicate: prediction ${prediction.id} of ${model} was aborted: it did not start before its deadline (not billed)${text}`,
    { details },
  );
}

// ─── internals ────────────────────────────────────────────────────────────────

async function _resume(
  options: Parameters<typeof runLifecycle>[0],
  warnings: string[],
  replaced: string[],
): Promise<Prediction | undefined> {
  const id = options.resumeFrom?.predictionId;
  if (typeof id !== 'string' || id === '') return undefined;
  let prediction: Prediction;
  try {
    prediction = await options.api.get({ id }, options.budget);
  } catch (err) {
    if (!(err instanceof EngineError && err.status === 404)) throw err;
    warnings.push(`checkpointed prediction ${id} no longer exists; a new one was created`);
    replaced.push(id);
    return undefined;
  }
  const cancelAt = options.resumeFrom?.cancelAt;
  const ourDeadlinePassed =
    typeof cancelAt === 'number' && options.clock.now() >= cancelAt - DEADLINE_SLACK_MS;
  const gone =
    prediction.status === 'succeeded' && (prediction.data_removed === true || prediction.output == null);
  // Aborted predictions were never billed; canceled ones past our own Cancel-After were ended by
  // our deadline, not by the model; removed outputs cannot be fetched again. Each needs a new run.
  if (prediction.status === 'aborted' || (prediction.status === 'canceled' && ourDeadlinePassed) || gone) {
    const why = gone ? 'succeeded but its output was removed' : `ended ${prediction.status}`;
    warnings.push(`checkpointed prediction ${id} ${why}; a new one was created`);
    replaced.push(id);
    return undefined;
  }
  return prediction;
}
