/**
 * The Engine port: turns (image, references, prompt, parameters) into an image.
 *
 * Adapters (`local`, `gemini`, later `replicate`, …) live beside this file, each in its
 * own folder, and depend on nothing of ours but this port, `shared/errors.ts` and
 * `shared/imaging`.
 */

/** Bytes an engine returned, with the type it declared; nothing about them is trusted yet. */
export interface EngineOutput {
  data: Buffer;
  /** The MIME type the engine or its service declared (the check sniffs the real one). */
  mimeType: string;
  /**
   * The pixels `data` encodes, when the engine drew them itself (the local engine): the check then
   * reads only the header, which must describe exactly these pixels, instead of decoding `data`.
   */
  pixels?: RawPixels | undefined;
}

/** An encoded image handed to an engine, or an engine's output once checked. */
export interface EngineImage extends EngineOutput {
  /** Encoded bytes (PNG, JPEG or WebP). */
  data: Buffer;
  /** MIME type of `data`, e.g. `image/png`. */
  mimeType: string;
  width: number;
  height: number;
  /**
   * The decoded pixels of `data`, when whoever made the image already had them (the loader, the
   * local engine): a consumer may read them instead of decoding `data` again. Never sent or stored.
   */
  pixels?: RawPixels | undefined;
}

/**
 * The longest side up to which an image carries its decoded pixels ({@link EngineImage.pixels}):
 * above it a second, raw copy of a large image would raise the peak memory more than it saves.
 */
export const PIXELS_MAX_SIDE = 3072;

/** Whether an image of this size should carry its decoded pixels. */
export function keepsPixels(size: { width: number; height: number }): boolean {
  return Math.max(size.width, size.height) <= PIXELS_MAX_SIDE;
}

/** Decoded 8-bit sRGB pixels, interleaved, RGB or RGBA. */
export interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * The one check of an engine's output (`shared/imaging` `checkEngineOutput`): the type sniffed
 * from the bytes (no SVG or PDF), the pixel count bounded from the header before decoding, then a
 * full decode. The pipeline hands its own (memoised) check to every edit.
 * @param output the bytes and declared type
 * @param context `source` names who returned the bytes in messages (default "The engine")
 * @returns the verified image
 * @throws EngineError `ENGINE_BAD_OUTPUT`
 */
export type OutputCheck = (
  output: EngineOutput,
  context?: { source?: string | undefined },
) => Promise<EngineImage>;

/**
 * Parameters of one stage, as the request gave them. Engines map what they can
 * and report the rest as warnings (never failures) through {@link EnginePlan.warnings}.
 */
export interface StageParams {
  /** Always set: drawn and recorded by the pipeline when the request gives none. */
  seed: number;
  /** Editing-guide guidance scale (how strictly the prompt is followed). */
  guidanceScale?: number | undefined;
  /** Editing-guide steps (quality against speed). */
  steps?: number | undefined;
  aspectRatio?: string | undefined;
  imageSize?: string | undefined;
  temperature?: number | undefined;
  thinkingLevel?: string | undefined;
  /** Model-specific inputs under the model's own names (e.g. `lora_weights`, `scale`), validated by the engine. */
  extra?: Record<string, unknown> | undefined;
}

/** What an engine is asked to check before any stage of a job runs. */
export interface StagePlan {
  index: number;
  name: string;
  model?: string | undefined;
  /** Effective (composed) prompt. */
  prompt: string;
  /** Number of reference images besides the stage input. */
  referenceCount: number;
  params: StageParams;
}

/** The engine's verdict on a stage plan. */
export interface EnginePlan {
  /** The model that will run the stage (the engine's default when the request names none). */
  model: string;
  /** Parameters the engine ignores or adjusts, recorded in lineage. */
  warnings: string[];
  /**
   * true when this stage's output does not depend on the seed (a deterministic edit), so that
   * variants would be identical files; omitted when the seed matters or the engine cannot tell.
   */
  seedIndependent?: boolean | undefined;
  /**
   * true when running the stage again gives the same bytes at no cost (a deterministic, free
   * engine): the pipeline then stores its output only when intermediates are kept, and recomputes
   * it on a resume instead of reading it back (docs/performance.md).
   */
  recomputable?: boolean | undefined;
}

/** One edit call. */
export interface EngineRequest {
  stage: StagePlan;
  /** The stage input: the job's normalized source, or the previous stage's output. */
  input: EngineImage;
  /** Further images, in order ("image 2", "image 3", …). */
  references: EngineImage[];
  /** Aborted when the invocation's time budget runs out. */
  signal?: AbortSignal | undefined;
  /** Epoch milliseconds after which the engine must not start new attempts. */
  deadline?: number | undefined;
  /**
   * Durably records engine facts before a long wait (e.g. a remote prediction id),
   * so that a later attempt of the same stage can pick the work up instead of paying twice.
   */
  checkpoint?: ((details: Record<string, unknown>) => Promise<void>) | undefined;
  /** What an earlier attempt of this very stage checkpointed, when it did. */
  resumeFrom?: Record<string, unknown> | undefined;
  /**
   * The pipeline's check of engine output. An engine that acts on a bad reply (tries again, or
   * decodes it to work on it) runs this on it; engines verify bytes no other way. Absent (an engine
   * used on its own), engines use `checkEngineOutput` from `shared/imaging`.
   */
  checkOutput?: OutputCheck | undefined;
  /**
   * true when the output is neither stored nor sent to a service (a {@link EnginePlan.recomputable}
   * stage whose intermediates are not kept, in a job no generative engine reads): the pipeline only
   * hashes it and hands it on in memory, so an engine that encodes its output may favour speed over
   * size (the local engine then writes an uncompressed PNG). Absent: false.
   */
  fastEncoding?: boolean | undefined;
}

/** Token counts reported by a model service. */
export interface EngineUsage {
  promptTokens?: number | undefined;
  outputTokens?: number | undefined;
  thoughtTokens?: number | undefined;
  totalTokens?: number | undefined;
}

/**
 * What one edit call produced. `Image` is `EngineImage` for an engine whose outputs are checked
 * or made here (it ran {@link OutputCheck}, or drew the pixels itself); the pipeline checks them
 * either way.
 */
export interface EngineResult<Image extends EngineOutput = EngineOutput> {
  /** The output as returned; the pipeline checks it (see {@link OutputCheck}). */
  image: Image;
  model: string;
  warnings: string[];
  usage?: EngineUsage | undefined;
  /** Estimated cost of the call in US dollars, when the engine knows prices. */
  costUsd?: number | undefined;
  /** Engine-specific facts worth keeping in lineage (finish reason, what was sent, attempts, …). */
  details?: Record<string, unknown> | undefined;
}

/** A stage's request prepared for a batch job instead of being sent now (the batch lane, docs/batch.md). */
export interface PreparedBatchRequest {
  /** The model the batch job must run on. */
  model: string;
  /** The request as the engine's batch API takes it (Gemini: an `InlinedRequest`'s `contents` and `config`). */
  request: Record<string, unknown>;
  /** Facts worth keeping in lineage once the result is in (what was sent, the seed). */
  details?: Record<string, unknown> | undefined;
}

/** What an engine with a batch service offers the batch lane. */
export interface EngineBatchLane {
  /**
   * Prepares the request `edit()` would send (composed prompt, downscaled images, parameters,
   * seed) without sending it.
   * @throws ValidationError when the stage can never run (as `edit()` would)
   */
  prepare(request: EngineRequest): Promise<PreparedBatchRequest>;
  /**
   * Reads one response of a finished batch like `edit()` reads a reply: the same refusals and error
   * codes, priced at the batch rate. The image bytes are returned unchecked: the pipeline checks
   * them as it checks every engine output.
   * @throws EngineError for a refusal or no image
   */
  read(options: {
    stage: StagePlan;
    prepared: PreparedBatchRequest;
    response: unknown;
  }): Promise<EngineResult>;
}

/** An image-editing engine; `Image` as in {@link EngineResult}. */
export interface Engine<Image extends EngineOutput = EngineOutput> {
  /** Stable engine name used in requests and lineage, e.g. `local`, `gemini`. */
  readonly name: string;
  /**
   * true when a generative model makes the edits (prompt advice applies, outputs are labelled as
   * AI-generated in their provenance); false for a deterministic engine such as `local`.
   */
  readonly generative: boolean;
  /**
   * Checks a stage before any call is made: model, parameter ranges, reference count.
   * @throws ValidationError when the stage can never run on this engine
   */
  plan(stage: StagePlan): EnginePlan;
  /**
   * Runs one stage.
   * @throws EngineError for permanent failures, TransientError for retryable ones
   */
  edit(request: EngineRequest): Promise<EngineResult<Image>>;
  /** Present when the engine can run stages in the batch lane; others ignore the lane with a warning. */
  readonly batch?: EngineBatchLane | undefined;
}

/** Engines by name, built once per process. */
export type EngineRegistry = ReadonlyMap<string, Engine>;
