/**
 * sharp helpers for the pipeline: sniff, load and normalise inputs, verify engine outputs,
 * encode outputs with provenance, render compare sheets. See docs/imaging.md.
 */
export {
  type ComparePanel,
  type CompareSheetOptions,
  renderCompareSheet,
  shortCaption,
} from './compare-sheet.js';
export { decodeEngineImage } from './decode.js';
export { type EncodedOutput, encodeOutputs, FORMAT_FILES } from './encode.js';
export { type EngineInputOptions, fitForEngine } from './engine-input.js';
export { hashBytes } from './hash.js';
export {
  type ImageLimits,
  type LoadedImage,
  loadImage,
  type SourceInfo,
  supportedInputFormats,
} from './load.js';
export { checkEngineOutput, createOutputCheck, ENGINE_OUTPUT_MAX_PIXELS } from './output-check.js';
export { FORMAT_MAX_SIDE, outputDimensions, outputLimitProblems } from './output-limits.js';
export {
  DIGITAL_SOURCE_TYPES,
  type DigitalSourceType,
  digitalSourceTypeFor,
  type Provenance,
  parseProvenanceXmp,
  provenanceXmp,
  type ReadBackProvenance,
  readProvenance,
} from './provenance.js';
export { parseAspectRatio, type Shape, type ShapeOptions, shapeFor } from './shape.js';
export { SNIFFED_FORMATS, type SniffedFormat, sniffFormat } from './sniff.js';
