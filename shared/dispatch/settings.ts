import { z } from 'zod';
import { ConfigError, parseEnv } from '../config.js';
import { DISPATCH_MODES, type QueueTarget } from './dispatcher.js';

/**
 * The dispatch variables, read like every other variable (a pure function of an env object;
 * each problem names its variable). Kept beside the dispatcher so that `shared/config.ts` stays
 * about the pipeline itself.
 */

/** A queue's full resource name, as Cloud Tasks spells it. */
const QUEUE_NAME = /^projects\/[^/]+\/locations\/[^/]+\/queues\/[A-Za-z0-9-]{1,100}$/;

/** `key=projects/P/locations/L/queues/Q` pairs; the key is a model, an engine or `default`. */
const QueuesSchema = z.string().transform((raw, ctx) => {
  const queues = new Map<string, string>();
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const key = entry.slice(0, at).trim();
    const queue = entry.slice(at + 1).trim();
    if (at <= 0 || !QUEUE_NAME.test(queue)) {
      ctx.addIssue({
        code: 'custom',
        message: `entry "${entry}" must be model-or-engine=projects/P/locations/L/queues/Q`,
      });
      return z.NEVER;
    }
    queues.set(key, queue);
  }
  return queues;
});

/** Per-model requests per minute, e.g. `gemini-3.1-flash-image=10,replicate=60`. */
const RpmSchema = z.string().transform((raw, ctx) => {
  const rpm = new Map<string, number>();
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, value] = entry.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!key || !Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `entry "${entry}" must be model-or-engine=positive number` });
      return z.NEVER;
    }
    rpm.set(key, n);
  }
  return rpm;
});

/** The dispatch variables (see the README's configuration table). */
export const DispatchSettingsSchema = z.object({
  DISPATCH: z.enum(DISPATCH_MODES).default('inline'),
  TASK_QUEUES: QueuesSchema.default(new Map()),
  RUN_STAGE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  TASK_INVOKER_ACCOUNT: z.email({ error: 'must be a service account e-mail' }).optional(),
  /** `host:port` of a Cloud Tasks emulator or test server (plain HTTP, REST transport). */
  CLOUD_TASKS_EMULATOR_HOST: z
    .string()
    .regex(/^[^:/\s]+:\d{1,5}$/, { error: 'must be host:port' })
    .optional(),
  TASK_DISPATCH_DEADLINE_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(15, { error: 'must be at least 15 (Cloud Tasks minimum)' })
    .max(1800, { error: 'must be at most 1800 (Cloud Tasks maximum)' })
    .default(900),
  MODEL_RPM: RpmSchema.default(new Map()),
});

/** The typed dispatch settings. */
export type DispatchSettings = z.output<typeof DispatchSettingsSchema>;

/**
 * Reads and checks the dispatch variables. Tasks mode needs a default queue, the worker URL
 * and the invoker account.
 * @param env an environment object
 * @throws ConfigError naming every invalid or missing variable
 * @example readDispatchSettings({ DISPATCH: 'tasks', TASK_QUEUES: 'default=projects/p/locations/l/queues/q', … })
 */
export function readDispatchSettings(env: NodeJS.ProcessEnv): DispatchSettings {
  const settings = parseEnv(DispatchSettingsSchema, env);
  if (settings.DISPATCH === 'tasks') {
    const missing: string[] = [];
    if (!settings.TASK_QUEUES.has('default')) {
      missing.push(
        'Environment variable TASK_QUEUES needs a default=projects/P/locations/L/queues/Q entry when DISPATCH=tasks',
      );
    }
    if (!settings.RUN_STAGE_URL) {
      missing.push('Environment variable RUN_STAGE_URL is required when DISPATCH=tasks (the runStage URL)');
    }
    if (!settings.TASK_INVOKER_ACCOUNT) {
      missing.push(
        'Environment variable TASK_INVOKER_ACCOUNT is required when DISPATCH=tasks (the OIDC account of the tasks)',
      );
    }
    if (missing.length) throw new ConfigError(missing);
  }
  return settings;
}

/**
 * The queue of an engine/model: the model's own entry, else the engine's, else `default`.
 * @param queues the parsed `TASK_QUEUES`
 */
export function queueOf(queues: ReadonlyMap<string, string>, target: QueueTarget): string {
  const queue = queues.get(target.model) ?? queues.get(target.engine) ?? queues.get('default');
  if (!queue) throw new ConfigError([`TASK_QUEUES has no queue for ${target.engine}/${target.model}`]);
  return queue;
}
