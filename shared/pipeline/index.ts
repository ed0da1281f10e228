/** The pipeline's public face: route → pair → claim → load → stages → finalize. */
export { claimJob, renewLease } from './claim.js';
export type { PipelineDeps } from './deps.js';
export { handleObject } from './handle-object.js';
export { drawSeed, jobIdFor } from './identity.js';
export { COMPARE_FILE, ERROR_FILE, jobPrefix, MANIFEST_FILE, stemOf } from './layout.js';
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
