/** The pipeline's public face: route → pair → claim → load → stages → finalize. */
export { nowOf, type PipelineDeps } from './deps.js';
export { type HandleOptions, handleObject, type ObjectEvent, type Outcome } from './handle-object.js';
export { jobIdFor } from './identity.js';
export { ERROR_FILE, stemOf } from './layout.js';
export { pairObject, refOf, resolveImageField } from './pair.js';
export { stagePlanOf } from './plan.js';
export { resolveReference } from './references.js';
export { resumeStageTask, type StageTaskRef } from './resume-task.js';
export { routeObject } from './route.js';
export { UPSCALE_STAGE_NAME } from './upscale.js';
export { variantWarning } from './variant-warning.js';
