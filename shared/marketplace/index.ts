export type { CheckResult, CheckSpec, MarketplacePreset } from './check-schema.js';
export { CheckSpecSchema, ChecksSchema, MARKETPLACE_PRESETS } from './check-schema.js';
export { framePreset, type PresetFraming } from './frame.js';
export { PRESETS, type PresetRules } from './presets.js';
export { checkedFileName, enforceChecks, runChecks } from './run-checks.js';
