import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPolicy } from './policy.js';
import { checkTasksPolicy } from './tasks-policy.js';
import { firstBlock, loadTerraformDir, parseTerraform, type TerraformConfig } from './terraform-model.js';

const INFRA = join(import.meta.dirname, '../../../infra');

/** The module with one resource block replaced by a deliberately bad one. */
async function withOverride(base: TerraformConfig, hcl: string): Promise<TerraformConfig> {
  const patch = await parseTerraform([{ name: 'override.tf', contents: hcl }]);
  const resources = structuredClone(base.resources);
  for (const [type, byName] of Object.entries(patch.resources)) {
    resources[type] = { ...(resources[type] ?? {}), ...byName };
  }
  return { ...base, resources };
}

/** An HCL interpolation as hcl2json renders it. */
const hcl = (expr: string) => `\${${expr}}`;

const rules = (config: TerraformConfig) => [...new Set(checkTasksPolicy(config).map((v) => v.rule))].sort();

describe('tasks-mode infrastructure', () => {
  let config: TerraformConfig;
  beforeAll(async () => {
    config = await loadTerraformDir(INFRA);
  });

  it('keeps every tasks invariant, and the general policy, in both dispatch modes', () => {
    expect(checkTasksPolicy(config)).toEqual([]);
    expect(checkTasksPolicy(config, { dispatch: 'tasks' })).toEqual([]);
    expect(checkPolicy(config, { vars: { dispatch: 'tasks' } })).toEqual([]);
  });

  it('sets the queue rate from variables and retries for days, backing off 10 s to 300 s', () => {
    const queue = config.resources.google_cloud_tasks_queue?.model;
    expect(firstBlock(queue, 'rate_limits')?.max_dispatches_per_second).toBe(
      hcl('each.value.max_dispatches_per_second'),
    );
    expect(firstBlock(queue, 'retry_config')).toMatchObject({
      max_attempts: -1,
      min_backoff: '10s',
      max_backoff: '300s',
    });
  });

  it('reports a queue that gives up after a few attempts', async () => {
    const bad = await withOverride(
      config,
      `resource "google_cloud_tasks_queue" "model" {
         name = "q"
         rate_limits {
           max_dispatches_per_second = 1
           max_concurrent_dispatches = 1
         }
         retry_config {
           max_attempts       = 5
           max_retry_duration = "\${var.task_max_retry_days * 86400}s"
           min_backoff        = "10s"
           max_backoff        = "300s"
         }
       }`,
    );
    expect(rules(bad)).toEqual(['tasks-retry']);
  });

  it('reports a queue without rate limits', async () => {
    const bad = await withOverride(
      config,
      `resource "google_cloud_tasks_queue" "model" {
         name = "q"
         retry_config {
           max_attempts       = -1
           max_retry_duration = "\${var.task_max_retry_days * 86400}s"
           min_backoff        = "10s"
           max_backoff        = "300s"
         }
       }`,
    );
    expect(rules(bad)).toEqual(['tasks-rates']);
  });

  it('reports a worker anyone may invoke, or one the trigger account may invoke', async () => {
    const publicWorker = await withOverride(
      config,
      `resource "google_cloud_run_v2_service_iam_member" "tasks_invoker_run_stage" {
         name   = "\${google_cloudfunctions2_function.run_stage[0].name}"
         role   = "roles/run.invoker"
         member = "allUsers"
       }`,
    );
    expect(rules(publicWorker)).toEqual(['tasks-iam']);
    expect(checkPolicy(publicWorker).map((v) => v.rule)).toContain('public-member');
    const triggerInvokes = await withOverride(
      config,
      `resource "google_cloud_run_v2_service_iam_member" "extra" {
         name   = "\${google_cloudfunctions2_function.run_stage[0].name}"
         role   = "roles/run.invoker"
         member = "serviceAccount:\${google_service_account.trigger.email}"
       }`,
    );
    expect(rules(triggerInvokes)).toEqual(['tasks-iam']);
  });

  it('reports a worker whose timeout is shorter than a dispatch', async () => {
    expect(rules(config)).toEqual([]);
    const timeouts = checkTasksPolicy(config, {
      run_stage_timeout_seconds: 300,
      task_dispatch_deadline_seconds: 900,
    });
    expect(timeouts.map((v) => v.rule)).toEqual(['tasks-worker']);
  });
});
