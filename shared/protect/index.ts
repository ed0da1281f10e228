export { DEFAULT_DRIFT } from './protect-schema.js';
export { editProtected, type ProtectRecord } from './protect-subject.js';
