/**
 * The `replicate` engine: other editing models (Flux Kontext, P Image Edit, Qwen Image Edit + LoRA)
 * and an upscaler, through Replicate's HTTP API. See docs/replicate.md.
 */
export type { Prediction, PredictionStatus } from './api-types.js';
export { PREDICTION_STATUSES, TERMINAL_STATUSES } from './api-types.js';
export { DEFAULT_DATA_URL_MAX_BYTES, type SentImage } from './inputs.js';
export type { PredictionCheckpoint } from './lifecycle.js';
export { resolveStage } from './params.js';
export {
  DEFAULT_REPLICATE_MODEL,
  REPLICATE_PROFILES,
  type ReplicateModelProfile,
  type ReplicatePrice,
} from './profiles.js';
export {
  createReplicateEngine,
  DEFAULT_REPLICATE_BASE_URL,
  REPLICATE_ENGINE_NAME,
  type ReplicateEngineOptions,
} from './replicate-engine.js';
