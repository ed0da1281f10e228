import type { PolicyContext } from './policy-rules.js';
import {
  allStrings,
  type Block,
  firstBlock,
  nestedBlocks,
  referencedNames,
  resolveValue,
} from './terraform-model.js';

/** The event the pipeline handles. */
export const FINALIZED_EVENT = 'google.cloud.storage.object.v1.finalized';
/** The maximum timeout of an event-driven function. */
export const MAX_EVENT_TIMEOUT_SECONDS = 540;
/** Variables that hold credentials: only ever from Secret Manager. */
export const SECRET_ENV_NAMES = [
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'REPLICATE_API_TOKEN',
  'WEBHOOK_SECRET',
] as const;
/** Collection groups a TTL policy may delete from (cleanup only; never jobs, stages or assets). */
export const TTL_COLLECTIONS = ['attempts'] as const;

/** Composite indexes the project's queries need (`LineageStore.listJobs`). */
export const REQUIRED_INDEXES: readonly { collection: string; fields: [string, string][] }[] = [
  {
    collection: 'jobs',
    fields: [
      ['sourceKey', 'ASCENDING'],
      ['createdAt', 'DESCENDING'],
    ],
  },
];

const CREDENTIAL_PATTERNS = [/AIza[0-9A-Za-z_-]{20,}/, /\br8_[0-9A-Za-z]{20,}/];

/**
 * Function rules: trigger, retry, buckets, timeout budget, identities and secrets.
 * @param ctx the policy context
 */
export function checkFunctions(ctx: PolicyContext): void {
  const { config, report } = ctx;
  const functions = Object.entries(config.resources.google_cloudfunctions2_function ?? {});
  if (functions.length === 0) report('trigger-event', 'google_cloudfunctions2_function', 'no function found');
  for (const [name, fn] of functions) {
    // The HTTP functions have no event trigger: test/unit/infra/tasks-policy.ts checks the Cloud
    // Tasks worker, test/unit/infra/batch-policy.ts the batch collector.
    const entry = firstBlock(fn, 'build_config')?.entry_point;
    if (entry === 'runStage' || entry === 'collectBatches') continue;
    _checkFunction(ctx, `google_cloudfunctions2_function.${name}`, fn);
  }
  for (const [type, name, block] of Object.entries(config.resources).flatMap(([t, byName]) =>
    Object.entries(byName).map(([n, b]) => [t, n, b] as const),
  )) {
    if (allStrings(block).some((s) => CREDENTIAL_PATTERNS.some((p) => p.test(s)))) {
      report('plain-secret', `${type}.${name}`, 'a credential is written into the configuration');
    }
    if (type === 'google_secret_manager_secret_version' && block.secret_data !== undefined) {
      report(
        'plain-secret',
        `${type}.${name}`,
        'secret values must be added with gcloud, never through state',
      );
    }
  }
}

/**
 * Firestore rules: the indexes the queries need, TTL only where it is cleanup.
 * @param ctx the policy context
 */
export function checkFirestore({ config, vars, report }: PolicyContext): void {
  const indexes = Object.values(config.resources.google_firestore_index ?? {}).filter((i) => !i.for_each);
  for (const required of REQUIRED_INDEXES) {
    const found = indexes.some((index) => {
      if (resolveValue(config, index.collection, vars) !== required.collection) return false;
      const fields = nestedBlocks(index, 'fields')
        .map(({ block }) => [block.field_path, block.order])
        .filter(([path]) => path !== '__name__');
      return JSON.stringify(fields) === JSON.stringify(required.fields);
    });
    if (!found) {
      const shape = required.fields.map(([f, o]) => `${f} ${o}`).join(', ');
      report(
        'firestore-index',
        'google_firestore_index',
        `missing index on ${required.collection} (${shape})`,
      );
    }
  }
  for (const [name, field] of Object.entries(config.resources.google_firestore_field ?? {})) {
    if (nestedBlocks(field, 'ttl_config').length === 0) continue;
    const collection = resolveValue(config, field.collection, vars);
    if (!(TTL_COLLECTIONS as readonly unknown[]).includes(collection)) {
      report(
        'ttl-scope',
        `google_firestore_field.${name}`,
        `TTL on "${String(collection)}" could delete state`,
      );
    }
  }
}

// --- internals ------------------------------------------------------------------

function _checkFunction(ctx: PolicyContext, address: string, fn: Block): void {
  const { config, vars, report } = ctx;
  const service = firstBlock(fn, 'service_config') ?? {};
  const trigger = firstBlock(fn, 'event_trigger');
  const env = (service.environment_variables ?? {}) as Record<string, unknown>;

  if (trigger?.retry_policy !== 'RETRY_POLICY_RETRY') {
    report('retry', address, 'event_trigger.retry_policy must be the literal "RETRY_POLICY_RETRY"');
  }
  if (resolveValue(config, trigger?.event_type, vars) !== FINALIZED_EVENT) {
    report('trigger-event', address, `the trigger must filter ${FINALIZED_EVENT}`);
  }
  const filters = nestedBlocks(trigger, 'event_filters').map(({ block }) => block);
  const bucketFilters = filters.filter((f) => f.attribute === 'bucket');
  const input =
    bucketFilters.length === 1 ? referencedNames(bucketFilters[0]?.value, 'google_storage_bucket') : [];
  if (input.length !== 1 || !input[0]) {
    report('trigger-bucket', address, 'the trigger must filter on exactly one bucket managed here');
    return;
  }
  const inputBucket = config.resources.google_storage_bucket?.[input[0]] ?? {};
  _checkRegion(ctx, address, trigger?.trigger_region, inputBucket.location);
  if (firstBlock(inputBucket, 'versioning')?.enabled !== true) {
    report('input-versioning', `google_storage_bucket.${input[0]}`, 'the input bucket must keep versions');
  }
  _checkBuckets(ctx, address, input[0], env);
  _checkTimeout(ctx, address, service, env);

  const runtime = referencedNames(service.service_account_email, 'google_service_account');
  const invoker = referencedNames(trigger?.service_account_email, 'google_service_account');
  if (runtime.length !== 1 || invoker.length !== 1 || runtime[0] === invoker[0]) {
    report('dedicated-service-accounts', address, 'runtime and trigger need their own service accounts');
  }
  _checkSecrets(ctx, address, fn, service, env);
}

function _checkRegion(ctx: PolicyContext, address: string, triggerRegion: unknown, bucketLocation: unknown) {
  const { config, vars, report } = ctx;
  const a = resolveValue(config, triggerRegion, vars);
  const b = resolveValue(config, bucketLocation, vars);
  const refs = (v: unknown) =>
    [...String(v).matchAll(/var\.(\w+)/g)]
      .map((m) => m[1])
      .sort()
      .join();
  const same =
    typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase()
      : refs(triggerRegion) !== '' && refs(triggerRegion) === refs(bucketLocation);
  if (!same) report('trigger-region', address, "the trigger's region must be the input bucket's location");
}

function _checkBuckets(ctx: PolicyContext, address: string, input: string, env: Record<string, unknown>) {
  const { config, vars, report } = ctx;
  const results = referencedNames(env.RESULTS_BUCKET, 'google_storage_bucket');
  const inputEnv = referencedNames(env.INPUT_BUCKET, 'google_storage_bucket');
  const buckets = config.resources.google_storage_bucket ?? {};
  const resultName = results[0] ? buckets[results[0]]?.name : undefined;
  const inputName = buckets[input]?.name;
  const a = resolveValue(config, inputName, vars);
  const b = resolveValue(config, resultName, vars);
  if (
    results.length !== 1 ||
    results[0] === input ||
    inputName === resultName ||
    (a !== undefined && a === b) ||
    (inputEnv.length > 0 && inputEnv[0] !== input)
  ) {
    report(
      'buckets-separate',
      address,
      'RESULTS_BUCKET must be a bucket of its own, never the trigger bucket',
    );
  }
}

function _checkTimeout(ctx: PolicyContext, address: string, service: Block, env: Record<string, unknown>) {
  const { config, vars, report } = ctx;
  const timeout = Number(resolveValue(config, service.timeout_seconds, vars));
  const envTimeout = Number(resolveValue(config, env.FUNCTION_TIMEOUT_SECONDS, vars));
  const margin = Number(resolveValue(config, env.DEADLINE_MARGIN_SECONDS ?? 30, vars));
  const lease = resolveValue(config, env.LEASE_SECONDS, vars);
  if (!Number.isFinite(timeout) || timeout > MAX_EVENT_TIMEOUT_SECONDS) {
    report('timeout', address, `timeout_seconds must be a number up to ${MAX_EVENT_TIMEOUT_SECONDS}`);
    return;
  }
  if (envTimeout !== timeout) {
    report(
      'timeout',
      address,
      `FUNCTION_TIMEOUT_SECONDS (${envTimeout}) must equal timeout_seconds (${timeout})`,
    );
  }
  if (!(margin >= 0 && margin < timeout)) {
    report('timeout', address, `DEADLINE_MARGIN_SECONDS (${margin}) must be below the timeout (${timeout})`);
  }
  if (lease !== undefined && lease !== null && lease !== '' && !(Number(lease) > timeout)) {
    report('timeout', address, `LEASE_SECONDS (${String(lease)}) must outlive the timeout (${timeout})`);
  }
}

function _checkSecrets(ctx: PolicyContext, address: string, fn: Block, service: Block, env: Block) {
  const { report } = ctx;
  const build = firstBlock(fn, 'build_config') ?? {};
  const buildEnv = (build.environment_variables ?? {}) as Block;
  for (const name of SECRET_ENV_NAMES) {
    if (name in env || name in buildEnv)
      report('plain-secret', address, `${name} is set as a plain variable`);
  }
  const fromSecretManager = nestedBlocks(service, 'secret_environment_variables').some(
    ({ block, forEach }) => {
      if (block.key !== 'GEMINI_API_KEY') return false;
      const direct = referencedNames(block.secret, 'google_secret_manager_secret').length > 0;
      const viaDynamic =
        String(block.secret).includes('secret_environment_variables.value') &&
        referencedNames(forEach, 'google_secret_manager_secret').length > 0;
      return direct || viaDynamic;
    },
  );
  if (!fromSecretManager) {
    report('secret-source', address, 'GEMINI_API_KEY must come from a Secret Manager secret managed here');
  }
}
