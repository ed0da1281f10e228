/** The pipeline's public face: route → pair → claim → load → stages → finalize. */
export { claimJob, renewLease } from './claim.js';
export { nowOf, type PipelineDeps } from './deps.js';
export { handleObject } from './handle-object.js';
export { drawSeed, jobIdFor } from './identity.js';
export { COMPARE_FILE, ERROR_FILE, jobPrefix, MANIFEST_FILE, stemOf } from './layout.js';
export { pairObject, refOf, resolveImageField } from './pair.js';
export { stagePlanOf } from './plan.js';
export { resolveReference } from './references.js';
export { resumeStageTask, type StageTaskRef } from './resume-task.js';
export {
  arrivalIgnoreReason,
  hasImageExtension,
  isOwnOutput,
  kindOfName,
  OUTPUT_MARKER,
  outsideInput,
  RECIPE_FILE,
  routeObject,
} from './route.js';
export type { HandleOptions, ObjectEvent, Outcome } from './types.js';
export { UPSCALE_STAGE_NAME } from './upscale.js';
export { variantWarning } from './variant-warning.js';
