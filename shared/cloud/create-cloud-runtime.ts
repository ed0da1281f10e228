import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { createFirestoreBatchStore } from '../batch/firestore-batch-store.js';
import { loadConfig, parseEnv } from '../config.js';
import { createDispatcher } from '../dispatch/create-dispatcher.js';
import { readDispatchSettings } from '../dispatch/settings.js';
import type { Engine } from '../engines/engine.js';
import { createEngineRegistry } from '../engines/registry.js';
import { createFirestoreClient } from '../lineage/firestore-client.js';
import { createFirestoreLineageStore } from '../lineage/firestore-lineage-store.js';
import { createLogger, type LoggerOptions } from '../log.js';
import { createNotifier } from '../notify/create-notifier.js';
import type { NotifyDeps } from '../notify/notify-completion.js';
import { loadNotifyConfig } from '../notify/notify-config.js';
import { notifyOutcome } from '../notify/notify-outcome.js';
import { handleObject, type PipelineDeps } from '../pipeline/index.js';
import { createGcsObjectStore } from '../storage/gcs-object-store.js';
import type { CloudRuntime } from './handle-storage-event.js';

/**
 * Variables only the Cloud Function reads (the shared ones are in `ConfigSchema`).
 * `K_REVISION` is set by Cloud Run.
 */
export const CloudSettingsSchema = z.object({
  RESULTS_BUCKET: z.string({ error: 'is required: the function writes its results there' }).min(1),
  K_REVISION: z.string().min(1).optional(),
  GEMINI_MAX_ATTEMPTS: z.coerce
    .number({ error: 'must be a whole number from 1 to 10' })
    .int({ error: 'must be a whole number from 1 to 10' })
    .min(1, { error: 'must be a whole number from 1 to 10' })
    .max(10, { error: 'must be a whole number from 1 to 10' })
    .optional(),
});

/** Options of {@link createCloudRuntime}. */
export interface CloudRuntimeOptions {
  /** The environment (the function passes `process.env`). */
  env: NodeJS.ProcessEnv;
  /** Extra engines, replacing built-in ones of the same name (tests). */
  engines?: Engine[] | undefined;
  /** Where log lines go (default stdout/stderr). */
  write?: LoggerOptions['write'];
  /** The pipeline's clock (tests). */
  now?: (() => number) | undefined;
}

/** A runtime and what it was built from, for tests, tooling and the runStage worker. */
export interface CloudRuntimeWithDeps extends CloudRuntime {
  deps: PipelineDeps;
  /** The announcement channels (`COMPLETION_TOPIC`, webhooks) that `notifyOutcome` uses. */
  notify: NotifyDeps;
}

/**
 * The cloud composition root: configuration from the environment, the Cloud Storage store
 * (honouring `STORAGE_EMULATOR_HOST`), Firestore lineage (honouring `FIRESTORE_EMULATOR_HOST`),
 * the engines, and a JSON logger in the Cloud Logging format. Nothing is contacted here: clients
 * connect on first use.
 * @param options the environment and test seams
 * @returns the runtime the entry point hands each event to
 * @throws ConfigError naming every invalid or missing variable (RESULTS_BUCKET is required)
 * @example const runtime = createCloudRuntime({ env: process.env });
 */
export function createCloudRuntime(options: CloudRuntimeOptions): CloudRuntimeWithDeps {
  const { env } = options;
  const config = loadConfig(env);
  const settings = readCloudSettings(env);
  const dispatch = readDispatchSettings(env);
  const log = createLogger({
    format: config.log.format ?? 'json',
    level: config.log.level,
    write: options.write,
  });
  const firestore = createFirestoreClient({
    projectId: config.projectId,
    databaseId: config.firestoreDatabase,
    emulatorHost: env.FIRESTORE_EMULATOR_HOST,
  });
  const emulator = env.STORAGE_EMULATOR_HOST?.trim();
  // Tasks mode: one model try per invocation; the queue, not the instance, waits out a 429.
  const geminiTries = settings.GEMINI_MAX_ATTEMPTS ?? (dispatch.DISPATCH === 'tasks' ? 1 : undefined);
  const deps: PipelineDeps = {
    config,
    // The client reads STORAGE_EMULATOR_HOST itself; passing it keeps uploads on the same host.
    store: createGcsObjectStore({ projectId: config.projectId, apiEndpoint: emulator || undefined }),
    lineage: createFirestoreLineageStore({ firestore }),
    batches: createFirestoreBatchStore({ firestore }),
    engines: createEngineRegistry({
      env,
      geminiModel: config.geminiModel,
      geminiMaxAttempts: geminiTries,
      overrides: options.engines,
    }),
    log,
    dispatcher: createDispatcher(dispatch),
    owner: ownerId(settings.K_REVISION),
    results: { bucket: settings.RESULTS_BUCKET, prefix: config.results.prefix },
    ...(options.now ? { now: options.now } : {}),
  };
  const notifyConfig = loadNotifyConfig(env);
  deps.webhookHosts = notifyConfig.webhook.hosts;
  const notifier = createNotifier({
    config: notifyConfig,
    lineage: deps.lineage,
    log,
    projectId: config.projectId,
    now: options.now,
  });
  return {
    config,
    log,
    deps,
    notify: notifier.deps,
    handle: async (event, eventLog) => {
      const outcome = await handleObject({ ...deps, log: eventLog }, event);
      // After the report and the final status are written; a failure here is redelivered.
      await notifyOutcome({ ...notifier.deps, log: eventLog }, outcome);
      return outcome;
    },
    close: async () => {
      await notifier.close();
      await firestore.terminate();
    },
  };
}

/**
 * Reads the function-only variables.
 * @throws ConfigError naming each problem
 */
export function readCloudSettings(env: NodeJS.ProcessEnv): z.output<typeof CloudSettingsSchema> {
  return parseEnv(CloudSettingsSchema, env);
}

/**
 * Names this instance in job leases: revision, host, pid and a random part, so that two cold
 * starts never share an owner even on the same host.
 */
export function ownerId(revision: string | undefined): string {
  return `${revision ?? 'local'}/${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
