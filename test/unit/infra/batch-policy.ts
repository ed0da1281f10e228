import { firstBlock, referencedNames, resolveValue, type TerraformConfig } from './terraform-model.js';

/**
 * Batch-lane policy (infra/batch.tf), checked statically like `checkPolicy`: a Cloud Scheduler
 * job posts to the collectBatches function's URL with an OIDC token of the scheduler account for
 * that audience; the function runs collectBatches, is HTTP-only and internal, and checks that very
 * audience and account; only the scheduler account may invoke it, and it has no other grant; the
 * Cloud Scheduler API is enabled.
 */

export const BATCH_RULES = ['batch-schedule', 'batch-function', 'batch-iam', 'batch-apis'] as const;
export type BatchRule = (typeof BATCH_RULES)[number];

/** One broken invariant. */
export interface BatchViolation {
  rule: BatchRule;
  address: string;
  message: string;
}

/** Cloud Scheduler's longest attempt deadline for an HTTP target. */
const MAX_ATTEMPT_DEADLINE_SECONDS = 1800;

/**
 * @param config the parsed module
 * @param vars variable values (unset ones take their defaults)
 * @returns the violations, empty when the module keeps every batch-lane invariant
 */
export function checkBatchPolicy(
  config: TerraformConfig,
  vars: Record<string, unknown> = {},
): BatchViolation[] {
  const out: BatchViolation[] = [];
  const report = (rule: BatchRule, address: string, message: string) => out.push({ rule, address, message });
  const value = (v: unknown) => resolveValue(config, v, vars);

  const job = config.resources.google_cloud_scheduler_job?.collect_batches;
  const fn = config.resources.google_cloudfunctions2_function?.collect_batches;
  const service = firstBlock(fn, 'service_config');
  const target = firstBlock(job, 'http_target');
  const oidc = firstBlock(target, 'oidc_token');
  const url = `\${local.collect_batches_url}`;

  if (!job)
    report('batch-schedule', 'google_cloud_scheduler_job.collect_batches', 'no schedule runs the collector');
  else {
    if (!String(job.schedule ?? '').includes('var.batch_collect_schedule'))
      report('batch-schedule', 'collect_batches', 'the schedule must come from var.batch_collect_schedule');
    if (target?.http_method !== 'POST' || target?.uri !== url)
      report('batch-schedule', 'collect_batches', 'the job must POST to the collector function URL');
    if (!oidc || oidc.audience !== url)
      report('batch-schedule', 'collect_batches', 'the job must send an OIDC token for the collector URL');
    if (!referencedNames(oidc?.service_account_email, 'google_service_account').includes('scheduler_invoker'))
      report('batch-schedule', 'collect_batches', 'the OIDC token must be the scheduler account’s');
    const deadline = Number(String(value(job.attempt_deadline)).replace(/s$/, ''));
    const timeout = Number(value(service?.timeout_seconds));
    if (!(deadline <= MAX_ATTEMPT_DEADLINE_SECONDS && deadline <= timeout))
      report(
        'batch-schedule',
        'collect_batches',
        `attempt deadline ${deadline}s must fit 1800 s and the function timeout`,
      );
  }

  if (!fn || firstBlock(fn, 'build_config')?.entry_point !== 'collectBatches') {
    report(
      'batch-function',
      'google_cloudfunctions2_function.collect_batches',
      'the function must run collectBatches',
    );
  } else {
    if (firstBlock(fn, 'event_trigger'))
      report('batch-function', 'collect_batches', 'the collector is HTTP-only');
    if (service?.ingress_settings !== 'ALLOW_INTERNAL_ONLY')
      report(
        'batch-function',
        'collect_batches',
        'ingress must be ALLOW_INTERNAL_ONLY (Cloud Scheduler counts as internal)',
      );
    // The model resolves `merge(local.function_env, {…})` into one map of expressions.
    const env = (service?.environment_variables ?? {}) as Record<string, unknown>;
    if (!/^\$\{local\.collect_batches_url\}$/.test(String(env.COLLECT_BATCHES_URL)))
      report('batch-function', 'collect_batches', 'COLLECT_BATCHES_URL must be the URL the schedule calls');
    if (
      !/^\$\{google_service_account\.scheduler_invoker\[0\]\.email\}$/.test(
        String(env.SCHEDULER_INVOKER_ACCOUNT),
      )
    )
      report('batch-function', 'collect_batches', 'SCHEDULER_INVOKER_ACCOUNT must be the scheduler account');
  }

  const grants = Object.entries(config.resources.google_cloud_run_v2_service_iam_member ?? {});
  for (const [name, grant] of grants) {
    const onCollector = String(grant.name).includes('google_cloudfunctions2_function.collect_batches');
    const byScheduler = referencedNames(grant.member, 'google_service_account').includes('scheduler_invoker');
    if (onCollector !== byScheduler || (onCollector && grant.role !== 'roles/run.invoker'))
      report(
        'batch-iam',
        `google_cloud_run_v2_service_iam_member.${name}`,
        'only the scheduler account may invoke the collector, and only the collector',
      );
  }
  if (!grants.some(([, g]) => String(g.name).includes('google_cloudfunctions2_function.collect_batches')))
    report(
      'batch-iam',
      'google_cloud_run_v2_service_iam_member',
      'the scheduler account needs run.invoker on the collector',
    );
  for (const type of [
    'google_project_iam_member',
    'google_storage_bucket_iam_member',
    'google_service_account_iam_member',
  ]) {
    for (const [name, grant] of Object.entries(config.resources[type] ?? {})) {
      if (referencedNames(grant.member, 'google_service_account').includes('scheduler_invoker'))
        report('batch-iam', `${type}.${name}`, 'the scheduler account may only invoke the collector');
    }
  }

  const api = config.resources.google_project_service?.cloudscheduler;
  if (api?.service !== 'cloudscheduler.googleapis.com')
    report(
      'batch-apis',
      'google_project_service.cloudscheduler',
      'cloudscheduler.googleapis.com is not enabled',
    );
  else if (value(api.disable_on_destroy) !== false)
    report('batch-apis', 'google_project_service.cloudscheduler', 'disable_on_destroy must be false');
  return out;
}
