import { checkSharedEnvironment } from './tasks-env-policy.js';
import { firstBlock, referencedNames, resolveValue, type TerraformConfig } from './terraform-model.js';

/**
 * Tasks-mode policy (infra/tasks.tf, infra/tasks-iam.tf), checked statically like
 * `checkPolicy`: every queue has rate limits and a retry policy that can wait for days, the
 * worker is internal, outlives a dispatch and is invoked by the invoker account only, and the
 * runtime account may only enqueue and act as that account; both functions share one
 * environment and one set of secret mounts (tasks-env-policy.ts).
 */

export const TASKS_RULES = ['tasks-rates', 'tasks-retry', 'tasks-worker', 'tasks-iam', 'tasks-env'] as const;
export type TasksRule = (typeof TASKS_RULES)[number];

/** One broken invariant. */
export interface TasksViolation {
  rule: TasksRule;
  address: string;
  message: string;
}

/** Cloud Tasks' own limits (queue.proto RateLimits). */
const MAX_RATE = 500;
const MAX_CONCURRENT = 5000;
/** Gen2 HTTP functions run up to an hour (cloud.google.com/functions/docs/configuring/timeout). */
const MAX_HTTP_TIMEOUT_SECONDS = 3600;

/**
 * @param config the parsed module
 * @param vars variable values (unset ones take their defaults)
 * @returns the violations, empty when the module keeps every tasks invariant
 */
export function checkTasksPolicy(
  config: TerraformConfig,
  vars: Record<string, unknown> = {},
): TasksViolation[] {
  const out: TasksViolation[] = [];
  const report = (rule: TasksRule, address: string, message: string) => out.push({ rule, address, message });
  const value = (v: unknown) => resolveValue(config, v, vars);

  const queues = Object.entries(config.resources.google_cloud_tasks_queue ?? {});
  if (queues.length === 0) report('tasks-rates', 'google_cloud_tasks_queue', 'no queue is defined');
  for (const [name, queue] of queues) {
    const address = `google_cloud_tasks_queue.${name}`;
    const rates = firstBlock(queue, 'rate_limits');
    if (rates?.max_dispatches_per_second === undefined || rates.max_concurrent_dispatches === undefined) {
      report(
        'tasks-rates',
        address,
        'rate_limits must set max_dispatches_per_second and max_concurrent_dispatches',
      );
    }
    const retry = firstBlock(queue, 'retry_config');
    if (value(retry?.max_attempts) !== -1)
      report('tasks-retry', address, 'max_attempts must be -1 (unlimited)');
    if (value(retry?.min_backoff) !== '10s' || value(retry?.max_backoff) !== '300s') {
      report('tasks-retry', address, 'backoff must go from 10s to 300s');
    }
    const days = Number(value(config.variables.task_max_retry_days?.default ?? vars.task_max_retry_days));
    const duration = String(retry?.max_retry_duration ?? '');
    if (!duration.includes('var.task_max_retry_days') || !(days >= 1)) {
      report(
        'tasks-retry',
        address,
        'max_retry_duration must come from task_max_retry_days (at least a day)',
      );
    }
  }
  const queueDefaults = (vars.task_queues ?? config.variables.task_queues?.default ?? {}) as Record<
    string,
    { max_dispatches_per_second?: number; max_concurrent_dispatches?: number }
  >;
  for (const [name, q] of Object.entries(queueDefaults)) {
    const rate = Number(q.max_dispatches_per_second);
    const concurrent = Number(q.max_concurrent_dispatches);
    if (!(rate > 0 && rate <= MAX_RATE) || !(concurrent >= 1 && concurrent <= MAX_CONCURRENT)) {
      report('tasks-rates', `var.task_queues["${name}"]`, 'rates must be within the Cloud Tasks limits');
    }
  }

  const worker = config.resources.google_cloudfunctions2_function?.run_stage;
  const service = firstBlock(worker, 'service_config');
  if (!worker || firstBlock(worker, 'build_config')?.entry_point !== 'runStage') {
    report('tasks-worker', 'google_cloudfunctions2_function.run_stage', 'the worker must run runStage');
  } else {
    if (firstBlock(worker, 'event_trigger')) report('tasks-worker', 'run_stage', 'the worker is HTTP-only');
    if (service?.ingress_settings !== 'ALLOW_INTERNAL_ONLY') {
      report(
        'tasks-worker',
        'run_stage',
        'ingress must be ALLOW_INTERNAL_ONLY (Cloud Tasks counts as internal)',
      );
    }
    const timeout = Number(value(service?.timeout_seconds));
    const deadline = Number(value(`\${var.task_dispatch_deadline_seconds}`));
    if (!(timeout >= deadline && timeout <= MAX_HTTP_TIMEOUT_SECONDS)) {
      report(
        'tasks-worker',
        'run_stage',
        `timeout ${timeout} must be within [dispatch deadline ${deadline}, 3600]`,
      );
    }
  }
  checkSharedEnvironment(config, vars, (address, message) => report('tasks-env', address, message));

  for (const [name, grant] of Object.entries(config.resources.google_cloud_run_v2_service_iam_member ?? {})) {
    const onWorker = String(grant.name).includes('google_cloudfunctions2_function.run_stage');
    const byInvoker = referencedNames(grant.member, 'google_service_account').includes('tasks_invoker');
    if (onWorker !== byInvoker) {
      report(
        'tasks-iam',
        `google_cloud_run_v2_service_iam_member.${name}`,
        'only the invoker account may invoke the worker, and only the worker',
      );
    }
  }
  for (const [name, grant] of Object.entries(config.resources.google_cloud_tasks_queue_iam_member ?? {})) {
    if (
      grant.role !== 'roles/cloudtasks.enqueuer' ||
      !referencedNames(grant.member, 'google_service_account').includes('runtime')
    ) {
      report(
        'tasks-iam',
        `google_cloud_tasks_queue_iam_member.${name}`,
        'queues grant only cloudtasks.enqueuer, to the runtime account',
      );
    }
  }
  const actAs = Object.entries(config.resources.google_service_account_iam_member ?? {});
  if (actAs.length === 0)
    report('tasks-iam', 'google_service_account_iam_member', 'the runtime needs actAs on the invoker');
  for (const [name, grant] of actAs) {
    const on = referencedNames(grant.service_account_id, 'google_service_account');
    const who = referencedNames(grant.member, 'google_service_account');
    if (on.join() !== 'tasks_invoker' || who.join() !== 'runtime') {
      report(
        'tasks-iam',
        `google_service_account_iam_member.${name}`,
        'actAs only on the invoker account, for the runtime account',
      );
    }
  }
  return out;
}
