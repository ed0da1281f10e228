import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { type FullRequest, FullRequestSchema, type Request, ShorthandRequestSchema } from './schema.js';

/**
 * Turns zod issues into lines a person understands, each naming the field path
 * the way it appears in the JSON (`stages[1].prompt: must be 1–2000 characters`).
 */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], input?: unknown): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const message =
      issue.code === 'unrecognized_keys'
        ? unknownKeys(issue.keys)
        : // A record key's own rule (e.g. label keys) sits in the nested issues.
          issue.code === 'invalid_key'
          ? (issue.issues[0]?.message ?? issue.message)
          : issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')
            ? wrongType(issue.expected, valueAt(input, issue.path))
            : issue.message;
    return path ? `${path}: ${message}` : message;
  });
}

// The library's "Invalid input: expected array, received string" in the request's own words.
const TYPE_WORDS: Record<string, string> = {
  array: 'a list ([…])',
  record: 'an object ({…})',
  object: 'an object ({…})',
  string: 'text in quotes',
  number: 'a number (without quotes)',
  int: 'a whole number (without quotes)',
  boolean: 'true or false (without quotes)',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function wrongType(expected: string, input: unknown): string {
  const got =
    input === undefined
      ? undefined
      : input === null
        ? 'null'
        : Array.isArray(input)
          ? 'a list'
          : typeof input === 'string'
            ? `the text ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`
            : typeof input === 'object'
              ? 'an object'
              : `${typeof input} ${JSON.stringify(input)}`;
  return `must be ${TYPE_WORDS[expected] ?? expected}${got ? ` (got ${got})` : ''}`;
}

function unknownKeys(keys: string[]): string {
  return `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * Validates a parsed sidecar or recipe and normalizes it to the full form.
 * @param json the parsed JSON value
 * @returns the request with every stage named (`stage-1`, … when unnamed)
 * @throws ValidationError (code REQUEST_INVALID) listing every problem with its field path
 * @example parseRequest({ prompt: 'make it warmer' }).stages[0].prompt // 'make it warmer'
 */
export function parseRequest(json: unknown): Request {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError('REQUEST_INVALID', ['the request must be a JSON object']);
  }
  // A request with only an `output` section (no stages, no prompt) is an output-only job.
  const outputOnly = !('stages' in json) && !('prompt' in json) && !('from' in json) && 'output' in json;
  const isFull = 'stages' in json || outputOnly;
  if (isFull) {
    const parsed = FullRequestSchema.safeParse(outputOnly ? { ...json, stages: [] } : json);
    if (!parsed.success)
      throw new ValidationError('REQUEST_INVALID', formatZodIssues(parsed.error.issues, json));
    const { $schema: _editorSchema, ...request } = parsed.data;
    return nameStages(request);
  }
  if (!('prompt' in json) && !('from' in json)) {
    const known = new Set([
      ...Object.keys(FullRequestSchema.shape),
      ...Object.keys(ShorthandRequestSchema.shape),
    ]);
    const unknown = Object.keys(json).filter((k) => !known.has(k));
    throw new ValidationError('REQUEST_INVALID', [
      'the request needs either "stages" (a list of edits; [] for an output-only job) or "prompt" (the one-stage shorthand), or an "output" section alone',
      ...(unknown.length > 0 ? [unknownKeys(unknown)] : []),
    ]);
  }
  const parsed = ShorthandRequestSchema.safeParse(json);
  if (!parsed.success)
    throw new ValidationError('REQUEST_INVALID', formatZodIssues(parsed.error.issues, json));
  const {
    $schema: _editorSchema,
    version,
    engine,
    model,
    image,
    output,
    labels,
    cache,
    upscale,
    notify,
    lane,
    ...stage
  } = parsed.data;
  return nameStages({
    version,
    engine,
    model,
    image,
    output,
    labels,
    cache,
    upscale,
    notify,
    lane,
    stages: [stage],
  });
}

function nameStages(request: Omit<FullRequest, '$schema'>): Request {
  const seen = new Set<string>();
  const stages = request.stages.map((stage, i) => {
    const name = (stage.name ?? `stage-${i + 1}`).toLowerCase();
    if (seen.has(name)) {
      throw new ValidationError('REQUEST_INVALID', [
        `stages[${i}].name: "${name}" is used by an earlier stage`,
      ]);
    }
    seen.add(name);
    return { ...stage, name };
  });
  return { ...request, stages };
}

/**
 * Decodes and parses the bytes of a sidecar or recipe.
 * @throws ValidationError with REQUEST_TOO_LARGE, REQUEST_NOT_JSON or REQUEST_INVALID
 */
export function decodeRequest(bytes: Buffer, maxBytes: number): Request {
  if (bytes.length > maxBytes) {
    throw new ValidationError('REQUEST_TOO_LARGE', [
      `the request is ${bytes.length} bytes; the limit is ${maxBytes} bytes (MAX_REQUEST_BYTES)`,
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new ValidationError('REQUEST_NOT_JSON', ['the request is not valid UTF-8 text'], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new ValidationError(
      'REQUEST_NOT_JSON',
      [`the request is not valid JSON: ${(cause as Error).message}`],
      {
        cause,
      },
    );
  }
  return parseRequest(json);
}
