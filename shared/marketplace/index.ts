export type { CheckResult } from './check-schema.js';
export { framePreset } from './frame.js';
export { checkedFileName, enforceChecks, runChecks } from './run-checks.js';
