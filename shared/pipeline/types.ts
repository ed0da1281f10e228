/**
 * The shapes the pipeline's steps hand each other: an arrival and what handling it came to, a
 * planned stage, a produced variant and a finished stage. Kept apart from the steps so that no two
 * steps import each other for a type.
 */
import type { Engine, EngineImage, EnginePlan, EngineResult, StagePlan } from '../engines/engine.js';
import type { TransientError } from '../errors.js';
import type {
  JobError,
  JobRecord,
  Location,
  OutputRecord,
  ReuseRecord,
  StageRecord,
} from '../lineage/records.js';
import type { Request } from '../request/index.js';
import type { Lane } from '../request/schema.js';

/** An object arrival, from a CloudEvent or a folder scan. */
export interface ObjectEvent {
  bucket: string;
  name: string;
  /** The generation the event names; the pipeline reads exactly that one. */
  generation?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** When the event happened (ISO), for the stale-event cutoff. */
  time?: string | undefined;
}

/** What handling an arrival came to. */
export type Outcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'waiting'; reason: string }
  | { kind: 'succeeded'; jobId: string; prefix: string; outputs: OutputRecord[] }
  | { kind: 'failed'; jobId: string; prefix: string; error: JobError }
  | { kind: 'duplicate'; jobId: string; status: JobRecord['status'] }
  | { kind: 'busy'; jobId: string }
  | { kind: 'retry'; jobId: string; error: TransientError }
  /** Batch lane: the job's stage waits for a Gemini batch job (shared/batch). */
  | { kind: 'waiting-batch'; jobId: string; keys: string[] }
  /** Tasks mode: the job's next stage waits in a queue. */
  | { kind: 'dispatched'; jobId: string; stage: number; queue: string };

/** Options of {@link handleObject}. */
export interface HandleOptions {
  /** Epoch ms by which this invocation must be done (default: now + timeout − margin). */
  deadline?: number;
  /** Treat a sidecar whose image has not arrived as failed instead of waiting (folder scans). */
  failOnMissingImage?: boolean;
  /** Tasks mode: `worker` for a `runStage` task (default `event`). */
  role?: DispatchRole | undefined;
}

/** Which side of tasks mode an attempt runs on. */
export type DispatchRole = 'event' | 'worker';

/** A stage, checked by its engine, ready to run. */
export interface PlannedStage {
  index: number;
  stage: Request['stages'][number];
  engine: Engine;
  plan: StagePlan;
  enginePlan: EnginePlan;
  references: Location[];
  /** Lint and engine warnings. */
  warnings: string[];
  /** One seed per variant; the first is the stage's seed. */
  seeds: number[];
  /** How the seed was chosen. */
  seedSource: 'request' | 'inherited' | 'drawn';
  /** Where the stage is in the request, for messages: `stages[0]`, or `upscale` for the added stage. */
  path: string;
  /** `batch`: the stage waits for a batch job when its engine has a batch lane (shared/batch). */
  lane?: Lane | undefined;
  /** Set when the stage continues from an earlier job's result instead of editing. */
  from?: { job: string; stage: number; variant: number } | undefined;
}

/** One produced output of a stage (one variant). */
export interface Produced {
  image: EngineImage;
  data: Buffer;
  output: Location;
  seed: number;
  model: string;
  warnings: string[];
  result?: Pick<EngineResult, 'usage' | 'costUsd' | 'details'> | undefined;
  reusedFrom?: ReuseRecord | undefined;
}

/** What a finished (or resumed) stage leaves for the next one. */
export interface StageOutcome {
  record: StageRecord;
  /** The chosen variant's image: the next stage's input. */
  image: EngineImage;
  /** Every variant's image, in order (one entry for a single-output stage). */
  variantImages: EngineImage[];
  /** true when the stage was recorded by an earlier attempt and reused. */
  resumed: boolean;
  /** true when a generative model may have made the output (the engine's `generative`; pinned: true). */
  generative: boolean;
}
