/**
 * sharp helpers for the pipeline: sniff, load and normalise inputs, verify engine outputs,
 * encode outputs with provenance, render compare sheets. See docs/imaging.md.
 */
export { renderCompareSheet, shortCaption } from './compare-sheet.js';
export { decodeEngineImage } from './decode.js';
export { type EncodedOutput, encodeOutputs, FORMAT_FILES } from './encode.js';
export { type EngineInputOptions, fitForEngine } from './engine-input.js';
export { hashBytes } from './hash.js';
export { type LoadedImage, loadImage } from './load.js';
export { checkEngineOutput, createOutputCheck, ENGINE_OUTPUT_MAX_PIXELS } from './output-check.js';
export { outputLimitProblems } from './output-limits.js';
export { digitalSourceTypeFor } from './provenance.js';
export { parseAspectRatio, shapeFor } from './shape.js';
export { type SniffedFormat, sniffFormat } from './sniff.js';
export { embedSrgbProfile, type ProfileContainer } from './srgb-profile.js';
