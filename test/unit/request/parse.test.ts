import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { decodeRequest } from '../../../shared/request/index.js';
import { formatZodIssues, parseRequest } from '../../../shared/request/parse.js';
import { FullRequestSchema, MAX_REFERENCES, MAX_STAGES } from '../../../shared/request/schema.js';

/** The ValidationError that `fn` throws (fails the test when it throws nothing or something else). */
function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

const stages = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `edit ${i + 1}` }));

describe('parseRequest', () => {
  it('expands the one-stage shorthand into the full form with defaults', () => {
    const request = parseRequest({
      prompt: 'make it warmer',
      seed: 3,
      keep: ['the face'],
      labels: { sku: 'A-1' },
    });
    expect(request.version).toBe(1);
    expect(request.labels).toEqual({ sku: 'A-1' });
    expect(request.output).toMatchObject({ formats: ['webp'], keepIntermediates: true });
    expect(request.stages).toHaveLength(1);
    expect(request.stages[0]).toMatchObject({
      name: 'stage-1',
      prompt: 'make it warmer',
      seed: 3,
      keep: ['the face'],
      avoid: [],
      references: [],
    });
  });

  it('accepts an empty stages list as an output-only job', () => {
    const request = parseRequest({
      version: 1,
      stages: [],
      output: { formats: ['webp'], sizes: { thumb: { maxSize: 256 } } },
    });
    expect(request.stages).toEqual([]);
    expect(request.output.formats).toEqual(['webp']);
    expect(request.output.sizes).toMatchObject({ thumb: { maxSize: 256 } });
  });

  it('reads a request with only an output section as an output-only job', () => {
    const request = parseRequest({ output: { formats: ['avif'] }, labels: { sku: 'A1' } });
    expect(request.stages).toEqual([]);
    expect(request.output.formats).toEqual(['avif']);
    expect(request.labels).toEqual({ sku: 'A1' });
  });

  it('keeps top-level request fields out of the shorthand stage', () => {
    const request = parseRequest({
      prompt: 'brighter',
      engine: 'local',
      model: 'm',
      image: 'photo.png',
      output: { formats: ['jpeg'] },
    });
    expect(request).toMatchObject({ engine: 'local', model: 'm', image: 'photo.png' });
    expect(request.output.formats).toEqual(['jpeg']);
    const [stage] = request.stages;
    expect(stage).not.toHaveProperty('image');
    expect(stage).not.toHaveProperty('output');
    expect(stage).not.toHaveProperty('labels');
  });

  it('accepts the full form with every stage field', () => {
    const request = parseRequest({
      version: 1,
      engine: 'gemini',
      stages: [
        {
          name: 'Background',
          prompt: 'replace the background with a beach',
          references: ['_scenes/beach.png', 'gs://props/sun.png'],
          keep: ['the face'],
          avoid: ['add text'],
          seed: 2147483647,
          guidanceScale: 7.5,
          steps: 40,
          aspectRatio: '4:5',
          temperature: 1,
          extra: { lora_scale: 0.5 },
        },
        { prompt: 'warmer light' },
      ],
    });
    expect(request.stages.map((s) => s.name)).toEqual(['background', 'stage-2']);
    expect(request.stages[0]).toMatchObject({
      references: ['_scenes/beach.png', 'gs://props/sun.png'],
      seed: 2147483647,
      guidanceScale: 7.5,
      steps: 40,
      extra: { lora_scale: 0.5 },
    });
  });

  it('trims prompts', () => {
    expect(parseRequest({ prompt: '  warmer  ' }).stages[0]?.prompt).toBe('warmer');
  });

  it('names unnamed stages by position', () => {
    const request = parseRequest({
      stages: [{ prompt: 'a' }, { name: 'two', prompt: 'b' }, { prompt: 'c' }],
    });
    expect(request.stages.map((s) => s.name)).toEqual(['stage-1', 'two', 'stage-3']);
  });

  it('accepts MAX_STAGES stages and MAX_REFERENCES references', () => {
    const refs = Array.from({ length: MAX_REFERENCES }, (_, i) => `r${i}.png`);
    const request = parseRequest({
      stages: [...stages(MAX_STAGES - 1), { prompt: 'fuse', references: refs }],
    });
    expect(request.stages).toHaveLength(MAX_STAGES);
    expect(request.stages.at(-1)?.references).toHaveLength(MAX_REFERENCES);
  });

  it.each([0, 42, 2147483647])('accepts seed %i', (seed) => {
    expect(parseRequest({ prompt: 'a', seed }).stages[0]?.seed).toBe(seed);
  });

  interface TestData {
    name: string;
    json: unknown;
    /** Every line of the error, in order. */
    issues: (string | RegExp)[];
  }
  const failures: TestData[] = [
    { name: 'not an object', json: [], issues: ['the request must be a JSON object'] },
    { name: 'a string', json: 'make it warmer', issues: ['the request must be a JSON object'] },
    { name: 'null', json: null, issues: ['the request must be a JSON object'] },
    { name: 'neither stages nor prompt', json: {}, issues: [/needs either "stages" .* or "prompt"/] },
    {
      name: 'an empty prompt in a later stage',
      json: { stages: [{ prompt: 'a' }, { prompt: '   ' }] },
      issues: ['stages[1].prompt: must be 1–2000 characters'],
    },
    {
      name: 'a prompt over 2000 characters',
      json: { stages: [{ prompt: 'a' }, { prompt: 'x'.repeat(2001) }] },
      issues: ['stages[1].prompt: must be 1–2000 characters'],
    },
    {
      name: 'a prompt that is a number',
      json: { prompt: 42 },
      issues: [/^prompt: must be text in quotes \(got number 42\)$/],
    },
    {
      name: 'an unknown top-level field',
      json: { prompt: 'a', colour: 'red' },
      issues: ['unknown field "colour" (check the spelling)'],
    },
    {
      name: 'unknown stage fields',
      json: { stages: [{ prompt: 'a', promt: 'b', sed: 1 }] },
      issues: ['stages[0]: unknown fields "promt", "sed" (check the spelling)'],
    },
    {
      name: 'an unknown output field',
      json: { prompt: 'a', output: { format: 'png' } },
      issues: ['output: unknown field "format" (check the spelling)'],
    },
    { name: 'version 2', json: { version: 2, prompt: 'a' }, issues: ['version: must be 1'] },
    { name: 'version "1"', json: { version: '1', prompt: 'a' }, issues: ['version: must be 1'] },
    {
      name: 'stage fields without a prompt beside an output section',
      json: { guidanceScale: 8, output: { formats: ['webp'] } },
      issues: ['unknown field "guidanceScale" (check the spelling)'],
    },
    {
      name: 'too many stages',
      json: { stages: stages(MAX_STAGES + 1) },
      issues: ['stages: must have at most 10 stages'],
    },
    {
      name: 'stages not a list',
      json: { stages: 'warmer' },
      issues: [/^stages: must be a list \(\[…\]\) \(got the text "warmer"\)$/],
    },
    {
      name: 'too many references',
      json: { stages: [{ prompt: 'a', references: Array.from({ length: 14 }, () => 'x.png') }] },
      issues: ['stages[0].references: must have at most 13 images'],
    },
    {
      name: 'an empty reference',
      json: { stages: [{ prompt: 'a', references: ['a.png', ' '] }] },
      issues: ['stages[0].references[1]: must name an image'],
    },
    {
      name: 'a negative seed',
      json: { prompt: 'a', seed: -1 },
      issues: [/^seed: must be .*(between 0 and 2147483647|whole number)/],
    },
    {
      name: 'a seed above 2^31−1',
      json: { prompt: 'a', seed: 2147483648 },
      issues: [/^seed: must be .*(between 0 and 2147483647|whole number)/],
    },
    {
      name: 'a fractional seed',
      json: { stages: [{ prompt: 'a', seed: 1.5 }] },
      issues: [/^stages\[0\]\.seed: must be a whole number/],
    },
    {
      name: 'a bad stage name',
      json: { stages: [{ prompt: 'a', name: 'two words' }] },
      issues: ['stages[0].name: must be 1–40 letters, digits or dashes'],
    },
    {
      name: 'an empty keep clause',
      json: { prompt: 'a', keep: ['the eyes', ''] },
      issues: ['keep[1]: must not be empty'],
    },
    {
      name: 'too many avoid clauses',
      json: { prompt: 'a', avoid: Array.from({ length: 21 }, () => 'x') },
      issues: ['avoid: must have at most 20 entries'],
    },
    {
      name: 'guidance scale above 30',
      json: { prompt: 'a', guidanceScale: 31 },
      issues: ['guidanceScale: must be between 0 and 30'],
    },
    {
      name: 'zero steps',
      json: { stages: [{ prompt: 'a', steps: 0 }] },
      issues: ['stages[0].steps: must be between 1 and 150'],
    },
    {
      name: 'a bad aspect ratio',
      json: { prompt: 'a', aspectRatio: 'square' },
      issues: ['aspectRatio: must look like "4:5"'],
    },
    {
      name: 'temperature above 2',
      json: { prompt: 'a', temperature: 3 },
      issues: ['temperature: must be between 0 and 2'],
    },
    {
      name: 'a long label value',
      json: { prompt: 'a', labels: { sku: 'x'.repeat(257) } },
      issues: ['labels.sku: label values are at most 256 characters'],
    },
    {
      name: 'an unknown output format',
      json: { prompt: 'a', output: { formats: ['bmp'] } },
      issues: [/^output\.formats\[0\]: /],
    },
    {
      name: 'the reserved size name "final"',
      json: { prompt: 'a', output: { sizes: { final: { maxSize: 100 } } } },
      issues: [/^output\.sizes\.final: the size name "final" is reserved/],
    },
  ];
  it.each(failures)('refuses $name, naming the field path', ({ json, issues }) => {
    const error = validationErrorOf(() => parseRequest(json));
    expect(error.code).toBe('REQUEST_INVALID');
    expect(error.issues).toHaveLength(issues.length);
    issues.forEach((expected, i) => {
      if (typeof expected === 'string') expect(error.issues[i]).toBe(expected);
      else expect(error.issues[i]).toMatch(expected);
    });
    expect(error.message).toBe(error.issues.join('; '));
  });

  it('reports every problem of a request at once', () => {
    const error = validationErrorOf(() =>
      parseRequest({ stages: [{ prompt: '' }, { prompt: 'b', steps: 500 }], output: { quality: 0 } }),
    );
    expect(error.issues).toHaveLength(3);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        'stages[0].prompt: must be 1–2000 characters',
        'stages[1].steps: must be between 1 and 150',
        expect.stringMatching(/^output\.quality: /),
      ]),
    );
  });

  it('refuses a label key a person can fix, naming the key and the rule', () => {
    const error = validationErrorOf(() => parseRequest({ prompt: 'a', labels: { '1sku': 'x' } }));
    expect(error.issues).toEqual(['labels.1sku: label keys are 1–63 letters, digits, _ . -']);
  });

  it.each([
    [
      {
        stages: [
          { name: 'warm', prompt: 'a' },
          { name: 'warm', prompt: 'b' },
        ],
      },
      'stages[1].name: "warm" is used by an earlier stage',
    ],
    [
      {
        stages: [
          { name: 'Warm', prompt: 'a' },
          { name: 'wARM', prompt: 'b' },
        ],
      },
      'stages[1].name: "warm" is used by an earlier stage',
    ],
    [
      { stages: [{ prompt: 'a' }, { name: 'stage-1', prompt: 'b' }] },
      'stages[1].name: "stage-1" is used by an earlier stage',
    ],
  ])('refuses duplicate stage names (%j)', (json, message) => {
    const error = validationErrorOf(() => parseRequest(json));
    expect(error.code).toBe('REQUEST_INVALID');
    expect(error.issues).toEqual([message]);
  });
});

describe('decodeRequest', () => {
  const LIMIT = 64 * 1024;

  it('decodes UTF-8 JSON', () => {
    const request = decodeRequest(Buffer.from(JSON.stringify({ prompt: 'café au lait tones' })), LIMIT);
    expect(request.stages[0]?.prompt).toBe('café au lait tones');
  });

  it('ignores a byte order mark', () => {
    const request = decodeRequest(Buffer.from('\uFEFF{"prompt":"warmer"}', 'utf8'), LIMIT);
    expect(request.stages[0]?.prompt).toBe('warmer');
  });

  interface TestData {
    name: string;
    bytes: Buffer;
    maxBytes?: number;
    code: string;
    issue: string | RegExp;
  }
  const cases: TestData[] = [
    {
      name: 'Latin-1 bytes',
      bytes: Buffer.from('{"prompt":"caf\xe9"}', 'latin1'),
      code: 'REQUEST_NOT_JSON',
      issue: 'the request is not valid UTF-8 text',
    },
    {
      name: 'UTF-16 text',
      bytes: Buffer.from('\uFEFF{"prompt":"a"}', 'utf16le'),
      code: 'REQUEST_NOT_JSON',
      issue: /^the request is not valid/,
    },
    {
      name: 'a trailing comma',
      bytes: Buffer.from('{"prompt": "a",}'),
      code: 'REQUEST_NOT_JSON',
      issue: /^the request is not valid JSON: /,
    },
    {
      name: 'an empty file',
      bytes: Buffer.alloc(0),
      code: 'REQUEST_NOT_JSON',
      issue: /^the request is not valid JSON: /,
    },
    {
      name: 'plain text',
      bytes: Buffer.from('make it warmer'),
      code: 'REQUEST_NOT_JSON',
      issue: /^the request is not valid JSON: /,
    },
    {
      name: 'JSON that is not an object',
      bytes: Buffer.from('[1,2]'),
      code: 'REQUEST_INVALID',
      issue: 'the request must be a JSON object',
    },
    {
      name: 'a file over the limit',
      bytes: Buffer.from('{"prompt":"warmer"}'),
      maxBytes: 10,
      code: 'REQUEST_TOO_LARGE',
      issue: 'the request is 19 bytes; the limit is 10 bytes (MAX_REQUEST_BYTES)',
    },
  ];
  it.each(cases)('refuses $name with $code', ({ bytes, maxBytes, code, issue }) => {
    const error = validationErrorOf(() => decodeRequest(bytes, maxBytes ?? LIMIT));
    expect(error.code).toBe(code);
    expect(error.issues).toHaveLength(1);
    if (typeof issue === 'string') expect(error.issues[0]).toBe(issue);
    else expect(error.issues[0]).toMatch(issue);
  });

  it('accepts a request of exactly the limit', () => {
    const bytes = Buffer.from('{"prompt":"warmer"}');
    expect(decodeRequest(bytes, bytes.length).stages).toHaveLength(1);
  });

  it('keeps the parser error as the cause', () => {
    const error = validationErrorOf(() => decodeRequest(Buffer.from('{'), LIMIT));
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('formatZodIssues', () => {
  it('writes paths as they read in JSON, without a path for the root', () => {
    const parsed = FullRequestSchema.safeParse({ stages: [{ prompt: 'a', keep: ['ok', 7] }], extra: 1 });
    expect(parsed.success).toBe(false);
    const lines = formatZodIssues(parsed.error?.issues ?? []);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages\[0\]\.keep\[1\]: /),
        'unknown field "extra" (check the spelling)',
      ]),
    );
  });
});
