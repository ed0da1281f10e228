import type { JobRecord } from '../lineage/records.js';
import type { Logger } from '../log.js';
import type { ObjectInfo } from '../storage/object-store.js';
import type { PipelineDeps } from './deps.js';
import type { DispatchRole } from './types.js';

/** One claimed attempt of one job. */
export interface JobContext {
  deps: PipelineDeps;
  job: JobRecord;
  /** This attempt's number: the fencing token of every write. */
  attempt: number;
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

/** Custom metadata that links an output object to its job, stage and source. */
export function outputMetadata(ctx: JobContext, extra: Record<string, string> = {}): Record<string, string> {
  const source = ctx.image ?? ctx.request;
  return {
    'darkroom-output': 'true',
    'darkroom-job': ctx.job.id,
    'darkroom-source': `${source.bucket}/${source.name}#${source.generation}`,
    ...extra,
  };
}
