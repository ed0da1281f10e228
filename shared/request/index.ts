export { composePrompt, joinList } from './compose.js';
export { countWords, lintPrompt, PROMPT_WORDS_MAX, PROMPT_WORDS_MIN } from './lint.js';
export { type OutputFormat, type OutputOptions, OutputOptionsSchema } from './output-schema.js';
export { decodeRequest, formatZodIssues, parseRequest } from './parse.js';
export {
  MAX_PROMPT_CHARS,
  MAX_REFERENCES,
  MAX_STAGES,
  REQUEST_VERSIONS,
  type Request,
  type StageInput,
} from './schema.js';
