export { type DriftFigures, measureDrift } from './drift.js';
export { DEFAULT_DRIFT, type DriftOptions, DriftSchema } from './protect-schema.js';
export { editProtected, type ProtectAttempt, type ProtectRecord } from './protect-subject.js';
