import {
  type Block,
  firstBlock,
  nestedBlocks,
  referencedNames,
  resolveValue,
  type TerraformConfig,
} from './terraform-model.js';

/**
 * The variables one function may set differently from the other: each passes its own
 * `timeout_seconds` as `FUNCTION_TIMEOUT_SECONDS` (infra/function-env.tf, infra/README.md).
 */
export const PER_FUNCTION_ENV = ['FUNCTION_TIMEOUT_SECONDS'] as const;

/** Secrets both functions must mount, and the secret resource each comes from. */
export const SHARED_SECRETS: Readonly<Record<string, string>> = {
  GEMINI_API_KEY: 'gemini_api_key',
  WEBHOOK_SECRET: 'webhook_secret',
  REPLICATE_API_TOKEN: 'replicate_api_token',
};

/**
 * processUpload and runStage run the same pipeline, so they must read the same environment:
 * the same keys with the same expressions (except {@link PER_FUNCTION_ENV}), the same secret
 * mounts, each from its Secret Manager secret, and, each, a timeout the job lease outlives.
 * @param config the parsed module
 * @param vars variable values
 * @param report called once per problem
 */
export function checkSharedEnvironment(
  config: TerraformConfig,
  vars: Record<string, unknown>,
  report: (address: string, message: string) => void,
): void {
  const functions = Object.entries(config.resources.google_cloudfunctions2_function ?? {});
  const byEntry = (entry: string) =>
    functions.find(([, fn]) => firstBlock(fn, 'build_config')?.entry_point === entry);
  const upload = byEntry('processUpload');
  const worker = byEntry('runStage');
  if (!upload || !worker) return;
  const [uploadName, uploadFn] = upload;
  const [workerName, workerFn] = worker;
  const address = `google_cloudfunctions2_function.${workerName}`;
  const envA = _env(uploadFn);
  const envB = _env(workerFn);
  const shared = (env: Block) => Object.keys(env).filter((k) => !_perFunction(k));
  const missing = shared(envA).filter((k) => !(k in envB));
  const extra = shared(envB).filter((k) => !(k in envA));
  if (missing.length > 0) report(address, `lacks ${missing.join(', ')} of ${uploadName}'s environment`);
  if (extra.length > 0) report(address, `sets ${extra.join(', ')}, which ${uploadName} does not`);
  const differ = shared(envA).filter((k) => k in envB && JSON.stringify(envA[k]) !== JSON.stringify(envB[k]));
  if (differ.length > 0) report(address, `sets ${differ.join(', ')} differently from ${uploadName}`);

  const mountsA = _mounts(uploadFn);
  const mountsB = _mounts(workerFn);
  for (const [key, resource] of Object.entries(SHARED_SECRETS)) {
    for (const [name, mounts] of [
      [uploadName, mountsA],
      [workerName, mountsB],
    ] as const) {
      if (mounts.get(key) !== resource) {
        report(
          `google_cloudfunctions2_function.${name}`,
          `must mount ${key} from google_secret_manager_secret.${resource}`,
        );
      }
    }
  }
  for (const [name, fn] of [upload, worker])
    _checkLease(config, vars, `google_cloudfunctions2_function.${name}`, fn, report);
}

// --- internals ------------------------------------------------------------------

function _perFunction(key: string): boolean {
  return (PER_FUNCTION_ENV as readonly string[]).includes(key);
}

function _env(fn: Block): Block {
  return (firstBlock(fn, 'service_config')?.environment_variables ?? {}) as Block;
}

/** Secret mounts by key → the secret resource they come from (directly or by a dynamic block). */
function _mounts(fn: Block): Map<string, string> {
  const out = new Map<string, string>();
  for (const { block, forEach } of nestedBlocks(
    firstBlock(fn, 'service_config'),
    'secret_environment_variables',
  )) {
    const source = [
      ...referencedNames(block.secret, 'google_secret_manager_secret'),
      ...(String(block.secret).includes('secret_environment_variables.value')
        ? referencedNames(forEach, 'google_secret_manager_secret')
        : []),
    ];
    if (typeof block.key === 'string' && source.length === 1 && source[0]) out.set(block.key, source[0]);
  }
  return out;
}

function _checkLease(
  config: TerraformConfig,
  vars: Record<string, unknown>,
  address: string,
  fn: Block,
  report: (address: string, message: string) => void,
): void {
  const service = firstBlock(fn, 'service_config') ?? {};
  const env = _env(fn);
  const timeout = Number(resolveValue(config, service.timeout_seconds, vars));
  const envTimeout = Number(resolveValue(config, env.FUNCTION_TIMEOUT_SECONDS, vars));
  if (envTimeout !== timeout) {
    report(address, `FUNCTION_TIMEOUT_SECONDS (${envTimeout}) must equal timeout_seconds (${timeout})`);
  }
  const lease = resolveValue(config, env.LEASE_SECONDS, vars);
  if (lease !== undefined && lease !== null && lease !== '' && !(Number(lease) > timeout)) {
    report(address, `LEASE_SECONDS (${String(lease)}) must outlive the timeout (${timeout})`);
  }
}
