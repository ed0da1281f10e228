/**
 * The error model of the pipeline.
 *
 * Retryability is decided by class, never by message text:
 * - {@link PermanentError} and its subclasses end the job as failed, write an
 *   `error.json` and acknowledge the event (no redelivery).
 * - {@link TransientError} is retried inside the invocation while the time budget
 *   allows, then rethrown so the platform redelivers the event.
 *
 * Every error carries a stable machine-readable `code` from {@link ERROR_CODES}.
 */

/** Stable error codes with the meaning a user reads in the README and in `error.json`. */
export const ERROR_CODES = {
  REQUEST_INVALID: 'The sidecar or recipe does not match the request schema.',
  REQUEST_NOT_JSON: 'The sidecar or recipe is not valid UTF-8 JSON.',
  REQUEST_TOO_LARGE: 'The sidecar or recipe is larger than the configured limit.',
  SIDECAR_IMAGE_MISSING: 'The sidecar names an image that does not exist.',
  REFERENCE_INVALID: 'A reference image name is forbidden, ambiguous or recursive.',
  REFERENCE_MISSING: 'A reference image does not exist.',
  ENGINE_UNKNOWN: 'The request names an engine this deployment does not have.',
  ENGINE_PARAMETER_INVALID: 'A stage parameter is outside what the engine or model accepts.',
  IMAGE_EMPTY: 'The input file is empty.',
  IMAGE_NOT_AN_IMAGE: 'The input bytes are not an image, whatever the file extension says.',
  IMAGE_CORRUPT: 'The input image is truncated or corrupt.',
  IMAGE_UNSUPPORTED_FORMAT: 'The input format is not supported (SVG and PDF are refused).',
  IMAGE_TOO_LARGE: 'The input file has more bytes than the configured limit.',
  IMAGE_TOO_MANY_PIXELS: 'The input has more pixels than the configured limit.',
  IMAGE_TOO_SMALL: 'The input is below the minimum resolution for editing.',
  EDIT_NOT_UNDERSTOOD: 'The engine could not interpret part of the prompt.',
  EDIT_NOT_POSSIBLE: 'The engine understood the edit but cannot perform it on this image.',
  ENGINE_BLOCKED: 'The model refused the prompt or image (safety or policy).',
  ENGINE_NO_IMAGE: 'The model answered without an image.',
  ENGINE_REJECTED: 'The model service rejected the request as invalid.',
  ENGINE_PERMISSION_DENIED: 'The model service refused the credentials.',
  ENGINE_NOT_CONFIGURED:
    'The engine has no credentials or settings (environment variables) to reach its service.',
  ENGINE_MODEL_NOT_FOUND: 'The model does not exist or has been retired.',
  ENGINE_BAD_OUTPUT: 'The model returned bytes that are not a valid image.',
  ENGINE_UNAVAILABLE: 'The model service is unavailable or rate-limited (transient).',
  ENGINE_PREDICTION_FAILED: 'The remote prediction failed; the message carries the error text of the model.',
  ENGINE_PREDICTION_CANCELED: 'The remote prediction was canceled before it finished.',
  ENGINE_PREDICTION_ABORTED: 'The remote prediction hit its deadline before starting (unbilled; transient).',
  ENGINE_CREATE_UNCONFIRMED: 'Create call lost in transit; a billed prediction may exist (transient).',
  ENGINE_OUTPUT_EXPIRED: 'The model output is no longer downloadable (remote outputs expire).',
  STORAGE_UNAVAILABLE: 'Cloud Storage is unavailable, rate-limited or unreachable (transient).',
  STORAGE_PERMISSION_DENIED: 'Cloud Storage refused access to a bucket or object.',
  STORAGE_FAILED: 'Cloud Storage rejected a request for a reason retrying cannot fix.',
  LINEAGE_REJECTED: 'Firestore refused a lineage write that no retry can fix (too deep, too large).',
  LINEAGE_RECORD_INVALID:
    'A lineage document read back does not match its record schema (edited by hand, or written by another version).',
  OUTPUT_NAME_TOO_LONG:
    "An output's name would be over Cloud Storage's 1,024-byte limit; refused before any engine call.",
  DEADLINE_EXCEEDED: 'The invocation ran out of time before the job finished (transient).',
  ATTEMPTS_EXHAUSTED: 'The job failed transiently more times than the attempt limit.',
  INTERNAL: 'An unexpected internal error.',
  ENGINE_DECLINED: 'The model declined to produce the image and said why (its words are in the message).',
  ENGINE_BILLING: 'The model service stopped serving the project for billing (credits, spend limit).',
  ENGINE_QUOTA_EXHAUSTED: 'The daily model quota is used up; the job waits for the reset (transient).',
  NOTIFY_UNAVAILABLE: 'The completion topic did not accept the message (transient; redelivery publishes).',
  DISPATCH_UNAVAILABLE: 'Cloud Tasks could not be reached to queue the next stage (transient).',
  CHECK_FAILED: 'An output failed an error-severity check (a marketplace preset or output.checks).',
  PRODUCT_ALTERED: 'The model moved or changed the protected product in every attempt (protect: subject).',
  BATCH_REQUEST_FAILED:
    "The stage's request failed inside its Gemini batch job (or came back without a result).",
  BATCH_EXPIRED: 'The Gemini batch job expired (48 h) before it ran, after the allowed resubmissions.',
  BATCH_CANCELLED: 'The Gemini batch job holding the stage was cancelled.',
  BATCH_LANE_UNAVAILABLE: 'The request asks for the batch lane but this deployment has no batch store.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error the pipeline raises on purpose. */
export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  /**
   * @param code stable machine-readable code
   * @param message human message: what is wrong and what to do about it
   * @param options `cause` and optional structured `details`
   */
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'PipelineError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** Retrying cannot help: the job fails and the event is acknowledged. */
export class PermanentError extends PipelineError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.name = 'PermanentError';
  }
}

/** The request (sidecar, recipe, references, parameters) is invalid. */
export class ValidationError extends PermanentError {
  /** One human-readable line per problem, each naming its field path. */
  readonly issues: string[];

  constructor(
    code: ErrorCode,
    issues: string[],
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(code, issues.join('; '), options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** The input image cannot be used. */
export class InputImageError extends PermanentError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.name = 'InputImageError';
  }
}

/** An engine refused or failed permanently (blocked, no image, invalid request, …). */
export class EngineError extends PermanentError {
  /** HTTP status of the engine's service, when there was one. */
  readonly status?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown>; status?: number },
  ) {
    super(code, message, options);
    this.name = 'EngineError';
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** Retrying may help: rate limits, 5xx, timeouts, network failures, an exhausted time budget. */
export class TransientError extends PipelineError {
  /** A delay the remote service asked for, in milliseconds. */
  readonly retryAfterMs?: number;
  readonly status?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: Record<string, unknown>; retryAfterMs?: number; status?: number },
  ) {
    super(code, message, options);
    this.name = 'TransientError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * A create-only write found something already there.
 * `existing` describes what was found, so the caller can decide whether it is the same thing.
 */
export class StoreConflictError<T = unknown> extends PipelineError {
  readonly existing: T;

  constructor(message: string, existing: T, options?: ErrorOptions) {
    super('INTERNAL', message, options);
    this.name = 'StoreConflictError';
    this.existing = existing;
  }
}

/** @returns true when retrying the work might succeed. */
export function isTransient(err: unknown): err is TransientError {
  return err instanceof TransientError;
}

/** @returns true when the error should end the job as failed without redelivery. */
export function isPermanent(err: unknown): err is PermanentError {
  return err instanceof PermanentError;
}

/** A short, single-line description of any thrown value, for logs and error reports. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
