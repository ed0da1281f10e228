import { z } from 'zod';

/**
 * Configuration as a pure function of an environment object.
 * Every variable is documented in the README's configuration table.
 */

const ENGINE_NAMES = ['local', 'gemini', 'replicate'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()));
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The environment variables Darkroom reads, with their defaults. */
export const ConfigSchema = z
  .object({
    DARKROOM_ENGINE: z.enum(ENGINE_NAMES).default('gemini'),
    RESULTS_BUCKET: z.string().min(1).optional(),
    RESULTS_PREFIX: z
      .string()
      .default('')
      .refine((p) => p === '' || p.endsWith('/'), 'must be empty or end with "/"'),
    INPUT_BUCKET: z.string().min(1).optional(),
    INPUT_PREFIX: z
      .string()
      .default('')
      .refine((p) => p === '' || p.endsWith('/'), 'must be empty or end with "/"'),
    REFERENCE_BUCKETS: csv.default([]),
    REFERENCE_SCOPE: z.enum(['folder', 'bucket']).default('folder'),
    GEMINI_MODEL: z.string().min(1).default('gemini-3.1-flash-image'),
    MAX_INPUT_BYTES: int(1).default(50 * 1024 * 1024),
    MAX_INPUT_PIXELS: int(1).default(50_000_000),
    MAX_OUTPUT_PIXELS: int(1).default(50_000_000),
    MIN_INPUT_SIDE: int(1).default(256),
    MAX_REQUEST_BYTES: int(1).default(64 * 1024),
    FUNCTION_TIMEOUT_SECONDS: int(1, 3600).default(540),
    DEADLINE_MARGIN_SECONDS: int(0, 600).default(30),
    LEASE_SECONDS: int(1).optional(),
    MAX_ATTEMPTS: int(1, 100).default(5),
    MAX_EVENT_AGE_SECONDS: int(1).default(24 * 60 * 60),
    FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
    GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
    LOG_FORMAT: z.enum(['json', 'text']).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    STAGE_CACHE: bool.default(true),
    DEFAULT_LANE: z.enum(['interactive', 'batch']).default('interactive'),
    BATCH_MIN_REQUESTS: int(1).default(100),
    BATCH_MAX_WAIT_SECONDS: int(0).default(30 * 60),
    BATCH_EXPIRED_RESUBMITS: int(0, 10).default(1),
  })
  .transform((env) => ({
    defaultEngine: env.DARKROOM_ENGINE,
    results: { bucket: env.RESULTS_BUCKET, prefix: env.RESULTS_PREFIX },
    input: { bucket: env.INPUT_BUCKET, prefix: env.INPUT_PREFIX },
    referenceBuckets: env.REFERENCE_BUCKETS,
    referenceScope: env.REFERENCE_SCOPE,
    geminiModel: env.GEMINI_MODEL,
    limits: {
      maxInputBytes: env.MAX_INPUT_BYTES,
      maxInputPixels: env.MAX_INPUT_PIXELS,
      maxOutputPixels: env.MAX_OUTPUT_PIXELS,
      minInputSide: env.MIN_INPUT_SIDE,
      maxRequestBytes: env.MAX_REQUEST_BYTES,
    },
    timing: {
      functionTimeoutMs: env.FUNCTION_TIMEOUT_SECONDS * 1000,
      deadlineMarginMs: env.DEADLINE_MARGIN_SECONDS * 1000,
      // The lease must outlive one invocation, or a slow but live attempt could be taken over.
      leaseMs: (env.LEASE_SECONDS ?? env.FUNCTION_TIMEOUT_SECONDS + 60) * 1000,
      maxEventAgeMs: env.MAX_EVENT_AGE_SECONDS * 1000,
    },
    maxAttempts: env.MAX_ATTEMPTS,
    firestoreDatabase: env.FIRESTORE_DATABASE,
    projectId: env.GOOGLE_CLOUD_PROJECT,
    log: { format: env.LOG_FORMAT, level: env.LOG_LEVEL },
    stageCache: env.STAGE_CACHE,
    defaultLane: env.DEFAULT_LANE,
    batch: {
      /** Submit a model's waiting stages once this many wait… */
      minRequests: env.BATCH_MIN_REQUESTS,
      /** …or once the oldest has waited this long. */
      maxWaitMs: env.BATCH_MAX_WAIT_SECONDS * 1000,
      /**
       * How often the stages of an expired batch, or of one cancelled outside `darkroom batch cancel`,
       * go back to waiting before they fail with BATCH_EXPIRED / BATCH_CANCELLED.
       */
      expiredResubmits: env.BATCH_EXPIRED_RESUBMITS,
    },
  }));

export type Config = z.output<typeof ConfigSchema>;

/** A configuration problem, naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration.
 * @param env an environment object (defaults to `process.env`)
 * @returns the typed configuration
 * @throws ConfigError naming every invalid variable
 * @example loadConfig({ RESULTS_BUCKET: 'my-results', DARKROOM_ENGINE: 'local' })
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseEnv(ConfigSchema, env);
  const loop = feedsTrigger(config);
  if (loop) throw new ConfigError([loop]);
  return config;
}

/** Options of {@link parseEnv}. */
export interface ParseEnvOptions {
  /** Variables whose value a message never echoes (secrets). */
  hidden?: readonly string[] | undefined;
}

/**
 * Parses the variables of an environment object with a schema. Empty variables count as unset.
 * Every part of Darkroom that reads variables goes through here, so every problem reads the same:
 * `Environment variable NAME <what is wrong> (got "<value>")`.
 * @param schema a zod object schema over variable names
 * @param env an environment object
 * @returns the parsed variables
 * @throws ConfigError naming every invalid or missing variable
 * @example parseEnv(z.object({ RESULTS_BUCKET: z.string() }), {}) // throws: Environment variable RESULTS_BUCKET …
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  options: ParseEnvOptions = {},
): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const hidden = new Set(options.hidden ?? []);
  throw new ConfigError(
    parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const shown = key in present && !hidden.has(key) ? ` (got "${present[key]}")` : '';
      return `Environment variable ${key} ${i.message}${shown}`;
    }),
  );
}

/**
 * The results location must never feed the trigger: with the same bucket, the
 * input and results prefixes must be disjoint and both non-empty.
 * @returns a description of the problem, or undefined when safe
 */
export function feedsTrigger(config: Pick<Config, 'input' | 'results'>): string | undefined {
  const { input, results } = config;
  if (!input.bucket || !results.bucket || input.bucket !== results.bucket) return undefined;
  const a = input.prefix;
  const b = results.prefix;
  if (a === '' || b === '' || a.startsWith(b) || b.startsWith(a)) {
    return `RESULTS_BUCKET equals INPUT_BUCKET ("${input.bucket}") and RESULTS_PREFIX "${b}" overlaps INPUT_PREFIX "${a}": outputs would trigger the function again. Use a separate results bucket, or disjoint non-empty prefixes.`;
  }
  return undefined;
}
