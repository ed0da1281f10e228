import type { Engine } from '../engines/engine.js';
import { PermanentError } from '../errors.js';
import type { InputRef, JobRecord } from '../lineage/records.js';
import type { Logger } from '../log.js';
import type { ObjectInfo } from '../storage/object-store.js';
import { ownsJob, SupersededError } from './claim.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { OUTPUT_MARKER } from './route.js';
import type { DispatchRole } from './types.js';

/** The facts of one claimed attempt, as {@link createJobContext} takes them. */
export interface JobContextFields {
  deps: PipelineDeps;
  job: JobRecord;
  /** This attempt's number: the fencing token of every write. */
  attempt: number;
  /** The claim created the job: nothing of it is recorded yet, so no earlier stage is looked up. */
  created?: boolean | undefined;
  log: Logger;
  /** Epoch ms after which no new engine call may start. */
  deadline: number;
  /** Aborted when a later attempt takes the job over (engines stop their calls). */
  signal?: AbortSignal | undefined;
  image?: ObjectInfo | undefined;
  request: ObjectInfo;
  /** Where every file of the job goes (ends in `/`). */
  prefix: string;
  startedAt: number;
  /** Tasks mode: which side this attempt runs on (see handoff.ts). */
  role?: DispatchRole | undefined;
}

/** One claimed attempt of one job, with what every step of it asks for. */
export interface JobContext extends JobContextFields {
  /** Milliseconds since the epoch, from the deps' clock. */
  now(): number;
  /**
   * Stops an attempt that a later one took over.
   * @param owned the answer of a fenced write (false: the fence failed); omitted, the job record is read
   * @throws SupersededError when this attempt no longer owns the job
   */
  assertOwner(owned?: boolean | Promise<boolean>): Promise<void>;
  /** Custom metadata that links an output object to this job and its source, plus `extra`. */
  outputMetadata(extra?: Record<string, string>): Record<string, string>;
  /**
   * The engine a stage names.
   * @param path where the request names it, for the message (`stages[0]`, `upscale.engine`)
   * @throws PermanentError (ENGINE_UNKNOWN) when this deployment has no such engine
   */
  requireEngine(name: string, path: string): Engine;
}

/**
 * The context of one claimed attempt: its fields, and the clock, ownership check, output
 * metadata and engine lookup built on them.
 */
export function createJobContext(fields: JobContextFields): JobContext {
  const ctx: JobContext = {
    ...fields,
    now: () => nowOf(ctx.deps),
    async assertOwner(owned) {
      const current = owned === undefined ? await ownsJob(ctx.deps, ctx.job.id, ctx.attempt) : await owned;
      if (!current) throw new SupersededError(ctx.job.id, ctx.attempt);
    },
    outputMetadata: (extra = {}) =>
      outputMetadataOf({ jobId: ctx.job.id, source: ctx.image ?? ctx.request }, extra),
    requireEngine(name, path) {
      const engine = ctx.deps.engines.get(name);
      if (!engine) {
        throw new PermanentError(
          'ENGINE_UNKNOWN',
          `${path}: engine "${name}" is not available here; available: ${[...ctx.deps.engines.keys()].join(', ')}`,
        );
      }
      return engine;
    },
  };
  return ctx;
}

/**
 * Custom metadata that links an object the pipeline writes to its job and source.
 * @param link the job, and its source when known
 * @param extra further keys (`darkroom-role`, `darkroom-stage`, …)
 */
export function outputMetadataOf(
  link: { jobId: string; source?: Pick<InputRef, 'bucket' | 'name' | 'generation'> | undefined },
  extra: Record<string, string> = {},
): Record<string, string> {
  const { source } = link;
  return {
    [OUTPUT_MARKER]: 'true',
    'darkroom-job': link.jobId,
    ...(source ? { 'darkroom-source': `${source.bucket}/${source.name}#${source.generation}` } : {}),
    ...extra,
  };
}

/** Custom metadata that links an output object to its job and source: `ctx.outputMetadata(extra)`. */
export function outputMetadata(ctx: JobContext, extra: Record<string, string> = {}): Record<string, string> {
  return ctx.outputMetadata(extra);
}
