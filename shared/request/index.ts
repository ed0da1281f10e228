export { composePrompt } from './compose.js';
export { lintPrompt } from './lint.js';
export type { OutputFormat, OutputOptions, OutputSize } from './output-schema.js';
export { decodeRequest } from './parse.js';
export type { Lane, Request } from './schema.js';
