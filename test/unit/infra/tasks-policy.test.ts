import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPolicy } from './policy.js';
import { PER_FUNCTION_ENV } from './tasks-env-policy.js';
import { checkTasksPolicy } from './tasks-policy.js';
import {
  type Block,
  firstBlock,
  loadTerraformDir,
  nestedBlocks,
  parseTerraform,
  type TerraformConfig,
} from './terraform-model.js';

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

/** The service_config of one function of a configuration. */
const serviceOf = (config: TerraformConfig, name: string): Block =>
  firstBlock(config.resources.google_cloudfunctions2_function?.[name], 'service_config') ?? {};

/** A copy of the module whose worker service_config is changed by `edit`. */
function withWorker(base: TerraformConfig, edit: (service: Block) => void): TerraformConfig {
  const config = structuredClone(base);
  edit(serviceOf(config, 'run_stage'));
  return config;
}

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

  describe('one environment for both functions', () => {
    const envOf = (name: string) => serviceOf(config, name).environment_variables as Record<string, unknown>;
    const secretsOf = (name: string) =>
      nestedBlocks(serviceOf(config, name), 'secret_environment_variables').map(({ block, forEach }) => [
        block.key,
        forEach,
      ]);

    it('gives processUpload and runStage the same variables, except their own timeouts', () => {
      const upload = envOf('darkroom');
      const worker = envOf('run_stage');
      const shared = (env: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(env).filter(([k]) => !(PER_FUNCTION_ENV as readonly string[]).includes(k)),
        );
      expect(shared(worker)).toEqual(shared(upload));
      expect(Object.keys(worker)).toEqual(
        expect.arrayContaining([
          'LEASE_SECONDS',
          'MAX_EVENT_AGE_SECONDS',
          'COMPLETION_TOPIC',
          'WEBHOOK_URL',
          'WEBHOOK_HOSTS',
        ]),
      );
      expect(upload.FUNCTION_TIMEOUT_SECONDS).toBe(hcl('var.function_timeout_seconds'));
      expect(worker.FUNCTION_TIMEOUT_SECONDS).toBe(hcl('var.run_stage_timeout_seconds'));
    });

    it('mounts the same secrets in both, the webhook secret included, each from Secret Manager', () => {
      const expected = [
        ['GEMINI_API_KEY', hcl('google_secret_manager_secret.gemini_api_key')],
        ['WEBHOOK_SECRET', hcl('google_secret_manager_secret.webhook_secret')],
        ['REPLICATE_API_TOKEN', hcl('google_secret_manager_secret.replicate_api_token')],
      ];
      expect(secretsOf('darkroom')).toEqual(expected);
      expect(secretsOf('run_stage')).toEqual(expected);
      for (const { block } of nestedBlocks(serviceOf(config, 'run_stage'), 'secret_environment_variables')) {
        expect(block).toMatchObject({
          secret: hcl('secret_environment_variables.value.secret_id'),
          version: 'latest',
        });
      }
    });

    it('reports a worker whose environment has drifted: missing, extra or different variables', () => {
      const missing = withWorker(config, (service) => {
        const env = service.environment_variables as Record<string, unknown>;
        delete env.WEBHOOK_URL;
        delete env.COMPLETION_TOPIC;
      });
      expect(checkTasksPolicy(missing).map((v) => [v.rule, v.message])).toEqual([
        ['tasks-env', "lacks COMPLETION_TOPIC, WEBHOOK_URL of darkroom's environment"],
      ]);
      const different = withWorker(config, (service) => {
        const env = service.environment_variables as Record<string, unknown>;
        env.EXTRA = 'x';
        env.LOG_LEVEL = 'debug';
      });
      expect(checkTasksPolicy(different).map((v) => v.message)).toEqual([
        'sets EXTRA, which darkroom does not',
        'sets LOG_LEVEL differently from darkroom',
      ]);
    });

    it('reports a worker that does not mount the webhook secret', () => {
      const bad = withWorker(config, (service) => {
        service.dynamic = { secret_environment_variables: [] };
      });
      expect(checkTasksPolicy(bad).map((v) => [v.address, v.message])).toEqual(
        ['GEMINI_API_KEY', 'WEBHOOK_SECRET', 'REPLICATE_API_TOKEN'].map((key) => [
          'google_cloudfunctions2_function.run_stage',
          `must mount ${key} from google_secret_manager_secret.${key.toLowerCase()}`,
        ]),
      );
    });

    it('reports a shared lease that the worker outlives, which the variable validation refuses', () => {
      expect(rules(config)).toEqual([]);
      const lease = checkTasksPolicy(config, { lease_seconds: 600 });
      expect(lease.map((v) => [v.rule, v.address, v.message])).toEqual([
        [
          'tasks-env',
          'google_cloudfunctions2_function.run_stage',
          'LEASE_SECONDS (600) must outlive the timeout (900)',
        ],
      ]);
      const validations = nestedBlocks(config.variables.lease_seconds, 'validation');
      expect(String(validations[0]?.block.condition)).toContain('var.run_stage_timeout_seconds');
    });
  });
});
