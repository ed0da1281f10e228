import type {
  Engine,
  EngineImage,
  EngineRequest,
  EngineResult,
  PreparedBatchRequest,
} from '../engines/engine.js';
import { EngineError, PermanentError } from '../errors.js';
import type { JobContext } from '../pipeline/job-context.js';
import type { LoadedAsset } from '../pipeline/load-inputs.js';
import type { PlannedStage } from '../pipeline/types.js';
import { type BatchMember, memberKey } from './records.js';

/**
 * Thrown by a batch-lane stage that has no result yet: its prepared request is recorded as
 * waiting, and the attempt parks the job as `waiting-batch` (park.ts) instead of calling the model.
 */
export class BatchWaiting extends Error {
  constructor(readonly keys: string[]) {
    super(`waiting for a batch job: ${keys.join(', ')}`);
    this.name = 'BatchWaiting';
  }
}

/** @returns true for a {@link BatchWaiting} */
export function isBatchWaiting(err: unknown): err is BatchWaiting {
  return err instanceof BatchWaiting;
}

/**
 * The batch lane of one stage variant, in place of `engine.edit()`. Not in the batch lane:
 * undefined (call the engine). No record yet: prepare the request, store it, record the stage as
 * waiting (create-only) and throw {@link BatchWaiting}. Answered: read the stored response with
 * the engine's own checks. Failed inside the batch: throw the member's error.
 * @throws BatchWaiting while the stage waits; EngineError/PermanentError for a failed member
 */
export async function batchLaneResult(
  ctx: JobContext,
  planned: PlannedStage,
  call: {
    variant: number;
    params: PlannedStage['plan']['params'];
    input: { image: EngineImage };
    refs: LoadedAsset[];
    /** The engine call within the variant: 0, then 1, 2… for each retry of a protected stage. */
    attempt?: number | undefined;
  },
): Promise<EngineResult | undefined> {
  const lane = planned.engine.batch;
  if (planned.lane !== 'batch' || !lane) return undefined;
  const { deps } = ctx;
  if (!deps.batches) {
    throw new PermanentError(
      'BATCH_LANE_UNAVAILABLE',
      `stage ${planned.index}: the request asks for the batch lane, but this deployment has no batch store`,
    );
  }
  const attempt = call.attempt ?? 0;
  const suffix = attempt > 0 ? `.a${attempt}` : '';
  const key = `${memberKey(ctx.job.id, planned.index, call.variant)}${suffix}`;
  const stage = { ...planned.plan, params: call.params, model: planned.enginePlan.model };
  const member = await deps.batches.getMember(key);
  if (!member) {
    const prepared = await lane.prepare({
      stage,
      input: call.input.image,
      references: call.refs.map((r) => r.image),
    });
    const body = Buffer.from(JSON.stringify(prepared));
    const location = {
      bucket: deps.results.bucket,
      name: `${ctx.prefix}batch/${planned.index}-v${call.variant}${attempt > 0 ? `-a${attempt}` : ''}.request.json`,
    };
    const now = new Date(ctx.now());
    // Create-only, and identical bytes count as written: preparing is deterministic, so a rerun
    // after a crash between this write and the record below writes the same request again.
    await deps.store.create(location, body, {
      contentType: 'application/json',
      metadata: ctx.outputMetadata({ 'darkroom-stage': String(planned.index) }),
      customTime: now,
    });
    await deps.batches.createMember({
      key,
      jobId: ctx.job.id,
      stage: planned.index,
      variant: call.variant,
      engine: planned.engine.name,
      model: prepared.model,
      state: 'waiting',
      request: location,
      bytes: body.length,
      details: prepared.details,
      waitingSince: now,
      round: 0,
      updatedAt: now,
    });
    ctx.log.info('stage waits for a batch job', { stage: planned.index, variant: call.variant, key });
    throw new BatchWaiting([key]);
  }
  if (member.state === 'failed') throw _memberError(planned, member);
  if (member.state !== 'succeeded' || !member.response) throw new BatchWaiting([key]);
  const prepared = JSON.parse(
    (await deps.store.read(member.request)).toString('utf8'),
  ) as PreparedBatchRequest;
  const response = JSON.parse((await deps.store.read(member.response)).toString('utf8')) as unknown;
  const result = await lane.read({ stage, prepared, response });
  return { ...result, details: { ...result.details, batchId: member.batchId, batchKey: key } };
}

/**
 * The batch lane of one stage variant as an engine, for wrappers that call `edit()` themselves:
 * a protected stage (`protect: subject`) sends the product laid out on its canvas, measures the
 * drift of each answer and may retry with a new seed. Each call becomes its own batch request
 * (the n-th call of the variant is attempt n, key suffix `.a{n}`): a retry waits for another
 * batch, and a resumed attempt reads the earlier answers again, so the wrapper sees the same
 * results in the same order and reaches the call that waits.
 * @returns an engine whose `edit` answers from the batch lane, or the stage's own engine when
 *   the stage is not in the batch lane
 */
export function batchLaneEngine(
  ctx: JobContext,
  planned: PlannedStage,
  call: { variant: number; refs: LoadedAsset[] },
): Pick<Engine, 'edit'> {
  if (planned.lane !== 'batch' || !planned.engine.batch) return planned.engine;
  let calls = 0;
  return {
    async edit(request: EngineRequest): Promise<EngineResult> {
      const attempt = calls++;
      const result = await batchLaneResult(ctx, planned, {
        variant: call.variant,
        params: request.stage.params,
        input: { image: request.input },
        refs: call.refs,
        attempt,
      });
      return result ?? planned.engine.edit(request);
    },
  };
}

// ── internal ──────────────────────────────────────────────────────────────

function _memberError(planned: PlannedStage, member: BatchMember): Error {
  const code = (member.error?.code ?? 'BATCH_REQUEST_FAILED') as 'BATCH_REQUEST_FAILED';
  const message = `stage ${planned.index}: ${member.error?.message ?? 'the batch request failed'}`;
  const details = { stage: planned.index, batchId: member.batchId, batchKey: member.key };
  return code === 'BATCH_REQUEST_FAILED'
    ? new EngineError(code, message, { details })
    : new PermanentError(code, message, { details });
}
