import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Config, ConfigError, feedsTrigger, loadConfig, parseEnv } from '../../shared/config.js';

/** The message of the ConfigError that `loadConfig(env)` throws (fails the test when none is thrown). */
function problemOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      defaultEngine: 'gemini',
      results: { bucket: undefined, prefix: '' },
      input: { bucket: undefined, prefix: '' },
      referenceBuckets: [],
      referenceScope: 'folder',
      geminiModel: 'gemini-3.1-flash-image',
      limits: {
        maxInputBytes: 50 * 1024 * 1024,
        maxInputPixels: 50_000_000,
        maxOutputPixels: 50_000_000,
        minInputSide: 256,
        maxRequestBytes: 64 * 1024,
      },
      timing: {
        functionTimeoutMs: 540_000,
        deadlineMarginMs: 30_000,
        leaseMs: 600_000,
        maxEventAgeMs: 86_400_000,
      },
      maxAttempts: 5,
      firestoreDatabase: '(default)',
      projectId: undefined,
      log: { format: undefined, level: 'info' },
      stageCache: true,
      defaultLane: 'interactive',
      batch: { minRequests: 100, maxWaitMs: 1_800_000, expiredResubmits: 1 },
    } satisfies Config);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ MAX_ATTEMPTS: '', DARKROOM_ENGINE: '' }).maxAttempts).toBe(5);
  });

  it('parses every variable', () => {
    const config = loadConfig({
      DARKROOM_ENGINE: 'local',
      RESULTS_BUCKET: 'out',
      RESULTS_PREFIX: 'results/',
      INPUT_BUCKET: 'in',
      INPUT_PREFIX: 'drop/',
      REFERENCE_BUCKETS: ' scenes , , props ',
      GEMINI_MODEL: 'gemini-2.5-flash-image',
      MAX_INPUT_BYTES: '1000',
      MAX_INPUT_PIXELS: '2000',
      MIN_INPUT_SIDE: '64',
      MAX_REQUEST_BYTES: '4096',
      FUNCTION_TIMEOUT_SECONDS: '120',
      DEADLINE_MARGIN_SECONDS: '10',
      LEASE_SECONDS: '300',
      MAX_ATTEMPTS: '3',
      MAX_EVENT_AGE_SECONDS: '60',
      FIRESTORE_DATABASE: 'lineage',
      GOOGLE_CLOUD_PROJECT: 'my-project',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
      STAGE_CACHE: 'no',
      DEFAULT_LANE: 'batch',
      BATCH_MIN_REQUESTS: '50',
      BATCH_MAX_WAIT_SECONDS: '600',
      BATCH_EXPIRED_RESUBMITS: '0',
    });
    expect(config).toEqual({
      defaultEngine: 'local',
      results: { bucket: 'out', prefix: 'results/' },
      input: { bucket: 'in', prefix: 'drop/' },
      referenceBuckets: ['scenes', 'props'],
      referenceScope: 'folder',
      geminiModel: 'gemini-2.5-flash-image',
      limits: {
        maxInputBytes: 1000,
        maxInputPixels: 2000,
        maxOutputPixels: 50_000_000,
        minInputSide: 64,
        maxRequestBytes: 4096,
      },
      timing: {
        functionTimeoutMs: 120_000,
        deadlineMarginMs: 10_000,
        leaseMs: 300_000,
        maxEventAgeMs: 60_000,
      },
      maxAttempts: 3,
      firestoreDatabase: 'lineage',
      projectId: 'my-project',
      log: { format: 'json', level: 'debug' },
      stageCache: false,
      defaultLane: 'batch',
      batch: { minRequests: 50, maxWaitMs: 600_000, expiredResubmits: 0 },
    } satisfies Config);
  });

  it('derives the lease from the function timeout when LEASE_SECONDS is unset', () => {
    expect(loadConfig({ FUNCTION_TIMEOUT_SECONDS: '100' }).timing.leaseMs).toBe(160_000);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads STAGE_CACHE=%s as %s', (value, expected) => {
    expect(loadConfig({ STAGE_CACHE: value }).stageCache).toBe(expected);
  });

  interface TestData {
    env: Record<string, string>;
    /** The start of the message about the variable. */
    expected: string;
  }
  const invalid: TestData[] = [
    { env: { MAX_ATTEMPTS: 'many' }, expected: 'Environment variable MAX_ATTEMPTS ' },
    { env: { MAX_ATTEMPTS: '0' }, expected: 'Environment variable MAX_ATTEMPTS ' },
    { env: { MAX_ATTEMPTS: '101' }, expected: 'Environment variable MAX_ATTEMPTS ' },
    { env: { MAX_ATTEMPTS: '2.5' }, expected: 'Environment variable MAX_ATTEMPTS ' },
    { env: { DARKROOM_ENGINE: 'dalle' }, expected: 'Environment variable DARKROOM_ENGINE ' },
    {
      env: { RESULTS_PREFIX: 'out' },
      expected: 'Environment variable RESULTS_PREFIX must be empty or end with "/"',
    },
    {
      env: { INPUT_PREFIX: 'in' },
      expected: 'Environment variable INPUT_PREFIX must be empty or end with "/"',
    },
    { env: { FUNCTION_TIMEOUT_SECONDS: '3601' }, expected: 'Environment variable FUNCTION_TIMEOUT_SECONDS ' },
    { env: { DEADLINE_MARGIN_SECONDS: '-1' }, expected: 'Environment variable DEADLINE_MARGIN_SECONDS ' },
    { env: { MIN_INPUT_SIDE: '0' }, expected: 'Environment variable MIN_INPUT_SIDE ' },
    { env: { LOG_FORMAT: 'xml' }, expected: 'Environment variable LOG_FORMAT ' },
    { env: { LOG_LEVEL: 'trace' }, expected: 'Environment variable LOG_LEVEL ' },
    { env: { STAGE_CACHE: 'maybe' }, expected: 'Environment variable STAGE_CACHE ' },
  ];
  it.each(invalid)('fails naming the variable for $env', ({ env, expected }) => {
    const message = problemOf(env);
    expect(message).toContain(expected);
    const [[, value]] = Object.entries(env) as [[string, string]];
    expect(message).toContain(`(got "${value}")`);
  });

  it('names every invalid variable at once', () => {
    const message = problemOf({ MAX_ATTEMPTS: 'x', LOG_LEVEL: 'loud' });
    expect(message).toContain('Environment variable MAX_ATTEMPTS');
    expect(message).toContain('Environment variable LOG_LEVEL');
    expect(message.startsWith('Invalid configuration: ')).toBe(true);
  });

  it('lists the problems on the error', () => {
    try {
      loadConfig({ MAX_ATTEMPTS: 'x' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(1);
      expect((err as ConfigError).problems[0]).toMatch(/^Environment variable MAX_ATTEMPTS /);
    }
  });

  it('refuses results that would feed the trigger', () => {
    const message = problemOf({ INPUT_BUCKET: 'b', RESULTS_BUCKET: 'b' });
    expect(message).toContain('RESULTS_BUCKET equals INPUT_BUCKET ("b")');
  });

  it('accepts the same bucket with disjoint non-empty prefixes', () => {
    const config = loadConfig({
      INPUT_BUCKET: 'b',
      INPUT_PREFIX: 'in/',
      RESULTS_BUCKET: 'b',
      RESULTS_PREFIX: 'out/',
    });
    expect(config.results).toEqual({ bucket: 'b', prefix: 'out/' });
  });
});

describe('feedsTrigger', () => {
  interface TestData {
    name: string;
    input: Config['input'];
    results: Config['results'];
    loops: boolean;
  }
  const cases: TestData[] = [
    {
      name: 'separate buckets',
      input: { bucket: 'a', prefix: '' },
      results: { bucket: 'b', prefix: '' },
      loops: false,
    },
    {
      name: 'no input bucket',
      input: { bucket: undefined, prefix: '' },
      results: { bucket: 'b', prefix: '' },
      loops: false,
    },
    {
      name: 'no results bucket',
      input: { bucket: 'a', prefix: '' },
      results: { bucket: undefined, prefix: '' },
      loops: false,
    },
    {
      name: 'same bucket, both empty',
      input: { bucket: 'b', prefix: '' },
      results: { bucket: 'b', prefix: '' },
      loops: true,
    },
    {
      name: 'same bucket, empty input prefix',
      input: { bucket: 'b', prefix: '' },
      results: { bucket: 'b', prefix: 'out/' },
      loops: true,
    },
    {
      name: 'same bucket, empty results prefix',
      input: { bucket: 'b', prefix: 'in/' },
      results: { bucket: 'b', prefix: '' },
      loops: true,
    },
    {
      name: 'results inside input',
      input: { bucket: 'b', prefix: 'in/' },
      results: { bucket: 'b', prefix: 'in/out/' },
      loops: true,
    },
    {
      name: 'input inside results',
      input: { bucket: 'b', prefix: 'out/in/' },
      results: { bucket: 'b', prefix: 'out/' },
      loops: true,
    },
    {
      name: 'equal prefixes',
      input: { bucket: 'b', prefix: 'x/' },
      results: { bucket: 'b', prefix: 'x/' },
      loops: true,
    },
    {
      name: 'disjoint prefixes',
      input: { bucket: 'b', prefix: 'in/' },
      results: { bucket: 'b', prefix: 'out/' },
      loops: false,
    },
    {
      name: 'prefixes sharing letters only',
      input: { bucket: 'b', prefix: 'in/' },
      results: { bucket: 'b', prefix: 'inbox/' },
      loops: false,
    },
  ];
  it.each(cases)('$name → loops: $loops', ({ input, results, loops }) => {
    const problem = feedsTrigger({ input, results });
    if (loops) expect(problem).toMatch(/outputs would trigger the function again/);
    else expect(problem).toBeUndefined();
  });
});

describe('parseEnv', () => {
  const Schema = z.object({
    PORT: z.coerce.number({ error: 'must be a number' }),
    TOKEN: z.string().min(8, { error: 'must have at least 8 characters' }),
    NAME: z.string().optional(),
  });

  it('treats empty variables as unset and returns the parsed values', () => {
    expect(parseEnv(Schema, { PORT: '8080', TOKEN: 'abcdefgh', NAME: '' })).toEqual({
      PORT: 8080,
      TOKEN: 'abcdefgh',
    });
  });

  it('names every problem and never echoes a hidden variable', () => {
    try {
      parseEnv(Schema, { PORT: 'eighty', TOKEN: 'short' }, { hidden: ['TOKEN'] });
      expect.unreachable('parseEnv did not throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'Environment variable PORT must be a number (got "eighty")',
        'Environment variable TOKEN must have at least 8 characters',
      ]);
    }
  });
});
