import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBatchPolicy } from './batch-policy.js';
import { checkPolicy } from './policy.js';
import { checkTasksPolicy } from './tasks-policy.js';
import { firstBlock, loadTerraformDir, parseTerraform, type TerraformConfig } from './terraform-model.js';

const INFRA = join(import.meta.dirname, '../../../infra');

/** The module with resource blocks replaced by deliberately bad ones. */
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

const rules = (config: TerraformConfig) => [...new Set(checkBatchPolicy(config).map((v) => v.rule))].sort();

/** The scheduler job as infra/batch.tf writes it, with `http` replacing its target. */
const job = (http: string, extra = '') => `resource "google_cloud_scheduler_job" "collect_batches" {
  schedule         = var.batch_collect_schedule
  attempt_deadline = "\${var.batch_collector_timeout_seconds}s"
  ${extra}
  http_target {
    ${http}
  }
}`;

describe('batch-lane infrastructure (the collector and its schedule)', () => {
  let config: TerraformConfig;
  beforeAll(async () => {
    config = await loadTerraformDir(INFRA);
  });

  it('keeps every batch invariant, the tasks invariants and the general policy', () => {
    expect(checkBatchPolicy(config)).toEqual([]);
    expect(checkTasksPolicy(config)).toEqual([]);
    expect(checkTasksPolicy(config, { dispatch: 'tasks' })).toEqual([]);
    expect(checkPolicy(config)).toEqual([]);
  });

  it('runs the collector every five minutes by default, with an OIDC token for its own URL', () => {
    expect(config.variables.batch_collect_schedule?.default).toBe('*/5 * * * *');
    const target = firstBlock(config.resources.google_cloud_scheduler_job?.collect_batches, 'http_target');
    expect(target).toMatchObject({ http_method: 'POST', uri: hcl('local.collect_batches_url') });
    expect(firstBlock(target, 'oidc_token')).toEqual({
      service_account_email: hcl('google_service_account.scheduler_invoker[0].email'),
      audience: hcl('local.collect_batches_url'),
    });
  });

  it('reports a schedule without an OIDC token', async () => {
    const bad = await withOverride(config, job('http_method = "POST"\n    uri = local.collect_batches_url'));
    expect(rules(bad)).toEqual(['batch-schedule']);
  });

  it('reports a token minted for another account or another audience', async () => {
    const other = await withOverride(
      config,
      job(`http_method = "POST"
    uri = local.collect_batches_url
    oidc_token {
      service_account_email = google_service_account.runtime.email
      audience              = "https://example.com/"
    }`),
    );
    expect(checkBatchPolicy(other).map((v) => v.message)).toEqual([
      'the job must send an OIDC token for the collector URL',
      'the OIDC token must be the scheduler account’s',
    ]);
  });

  it('reports a public collector and a collector that checks another account', async () => {
    const bad = await withOverride(
      config,
      `resource "google_cloudfunctions2_function" "collect_batches" {
         build_config {
           entry_point = "collectBatches"
         }
         service_config {
           timeout_seconds  = 900
           ingress_settings = "ALLOW_ALL"
           environment_variables = {
             COLLECT_BATCHES_URL       = local.collect_batches_url
             SCHEDULER_INVOKER_ACCOUNT = google_service_account.runtime.email
           }
         }
       }`,
    );
    expect(checkBatchPolicy(bad).map((v) => v.message)).toEqual([
      'ingress must be ALLOW_INTERNAL_ONLY (Cloud Scheduler counts as internal)',
      'SCHEDULER_INVOKER_ACCOUNT must be the scheduler account',
    ]);
  });

  it('reports anyone else invoking the collector, and the scheduler account holding other grants', async () => {
    const bad = await withOverride(
      config,
      `resource "google_cloud_run_v2_service_iam_member" "everyone_collects" {
         name   = google_cloudfunctions2_function.collect_batches[0].name
         role   = "roles/run.invoker"
         member = "serviceAccount:\${google_service_account.runtime.email}"
       }
       resource "google_project_iam_member" "scheduler_datastore" {
         project = var.project_id
         role    = "roles/datastore.user"
         member  = "serviceAccount:\${google_service_account.scheduler_invoker[0].email}"
       }`,
    );
    expect(rules(bad)).toEqual(['batch-iam']);
    expect(checkBatchPolicy(bad)).toHaveLength(2);
  });

  it('reports an attempt deadline past what Cloud Scheduler allows', async () => {
    const bad = await withOverride(
      config,
      job(
        `http_method = "POST"
    uri = local.collect_batches_url
    oidc_token {
      service_account_email = google_service_account.scheduler_invoker[0].email
      audience              = local.collect_batches_url
    }`,
      ).replace(`"${hcl('var.batch_collector_timeout_seconds')}s"`, '"3600s"'),
    );
    expect(rules(bad)).toEqual(['batch-schedule']);
  });
});
