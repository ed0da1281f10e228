import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_ROLES, checkPolicy, eachResource, type PolicyRule } from './policy.js';
import { FINALIZED_EVENT } from './policy-function.js';
import {
  firstBlock,
  loadTerraformDir,
  nestedBlocks,
  overlayTerraform,
  parseTfvars,
  resolveValue,
  type TerraformConfig,
} from './terraform-model.js';

const INFRA = join(import.meta.dirname, '../../../infra');
const FIXTURES = join(import.meta.dirname, '../../fixtures/infra');

/** An HCL interpolation as hcl2json renders it. */
const hcl = (expr: string) => `\${${expr}}`;

const rulesOf = (config: TerraformConfig, vars?: Record<string, unknown>) =>
  [...new Set(checkPolicy(config, { vars }).map((v) => v.rule))].sort();

describe('infra policy', () => {
  let config: TerraformConfig;
  beforeAll(async () => {
    config = await loadTerraformDir(INFRA);
  });

  describe('the real module', () => {
    it('keeps every invariant with the default variables', async () => {
      expect(checkPolicy(config)).toEqual([]);
    });

    it('keeps every invariant with terraform.tfvars.example', async () => {
      const example = await readFile(join(INFRA, 'terraform.tfvars.example'), 'utf8');
      const vars = await parseTfvars('terraform.tfvars.example', example);
      expect(Object.keys(vars).filter((name) => !(name in config.variables))).toEqual([]);
      expect(checkPolicy(config, { vars })).toEqual([]);
    });

    it('keeps every invariant with Vertex AI selected', async () => {
      expect(checkPolicy(config, { vars: { use_vertex: true, enable_replicate: true } })).toEqual([]);
    });

    it('grants only allow-listed roles, each through the resource type it is meant for', async () => {
      const grants = eachResource(config)
        .filter(([type]) => type.endsWith('_iam_member'))
        .map(([type, , block]) => ({ type, role: block.role as string }));
      expect(grants.length).toBeGreaterThanOrEqual(10);
      for (const { type, role } of grants) expect(ALLOWED_ROLES[role]).toContain(type);
      expect(grants.map((g) => g.role)).not.toContain('roles/editor');
    });

    it('triggers on finalized uploads of the input bucket, with retries, running processUpload on nodejs20', async () => {
      const fn = config.resources.google_cloudfunctions2_function?.darkroom;
      const trigger = firstBlock(fn, 'event_trigger');
      const build = firstBlock(fn, 'build_config');
      expect(trigger?.event_type).toBe(FINALIZED_EVENT);
      expect(trigger?.retry_policy).toBe('RETRY_POLICY_RETRY');
      expect(nestedBlocks(trigger, 'event_filters').map(({ block }) => block)).toEqual([
        { attribute: 'bucket', value: hcl('google_storage_bucket.input.name') },
      ]);
      expect(build).toMatchObject({ runtime: 'nodejs20', entry_point: 'processUpload' });
    });

    it('passes the function its own timeout and a smaller deadline margin', async () => {
      const service = firstBlock(
        config.resources.google_cloudfunctions2_function?.darkroom,
        'service_config',
      );
      const env = service?.environment_variables as Record<string, unknown>;
      expect(env.FUNCTION_TIMEOUT_SECONDS).toBe(service?.timeout_seconds);
      expect(resolveValue(config, service?.timeout_seconds)).toBe(540);
      expect(resolveValue(config, env.DEADLINE_MARGIN_SECONDS)).toBeLessThan(540);
    });

    it('zips an allowlist of the repository, not the checkout minus a denylist', async () => {
      const archive = config.data.archive_file?.source;
      expect(archive?.source_dir).toBeUndefined();
      expect(archive?.excludes).toBeUndefined();
      // What the allowlist holds: test/unit/infra/archive-allowlist.test.ts.
      expect(config.locals.source_globs).toEqual(['{functions,shared}/**/*.ts']);
    });
  });

  describe('deliberately bad fixtures', () => {
    interface TestData {
      fixture: string;
      rule: PolicyRule;
    }
    const cases: TestData[] = [
      { fixture: 'public-bucket.tf', rule: 'public-member' },
      { fixture: 'public-access-inherited.tf', rule: 'bucket-public-access' },
      { fixture: 'fine-grained-acl.tf', rule: 'bucket-uniform-access' },
      { fixture: 'primitive-role.tf', rule: 'primitive-role' },
      { fixture: 'project-storage-admin.tf', rule: 'role-allow-list' },
      { fixture: 'authoritative-binding.tf', rule: 'authoritative-iam' },
      { fixture: 'retry-off.tf', rule: 'retry' },
      { fixture: 'plain-text-key.tf', rule: 'plain-secret' },
      { fixture: 'same-bucket.tf', rule: 'buckets-separate' },
      { fixture: 'wrong-event.tf', rule: 'trigger-event' },
      { fixture: 'short-timeout.tf', rule: 'timeout' },
      { fixture: 'shared-service-account.tf', rule: 'dedicated-service-accounts' },
      { fixture: 'missing-index.tf', rule: 'firestore-index' },
      { fixture: 'ttl-on-jobs.tf', rule: 'ttl-scope' },
    ];

    it.each(cases)('$fixture is reported as $rule, and only as that', async ({ fixture, rule }) => {
      const bad = await overlayTerraform(config, join(FIXTURES, fixture));
      expect(rulesOf(bad)).toEqual([rule]);
    });

    it('reports a variable override that breaks the timeout budget', async () => {
      expect(rulesOf(config, { deadline_margin_seconds: 600 })).toEqual(['timeout']);
      expect(rulesOf(config, { lease_seconds: 300 })).toEqual(['timeout']);
    });

    it('leaves equal bucket names to the module itself, which refuses them before any change', () => {
      // The names go through coalesce(), which the static model does not evaluate, so the
      // module carries the check: a variable validation and a precondition on the bucket.
      const validations = nestedBlocks(config.variables.results_bucket_name, 'validation');
      expect(validations.map(({ block }) => block.condition)).toContain(
        hcl('var.results_bucket_name == null || var.results_bucket_name != var.input_bucket_name'),
      );
      const results = config.resources.google_storage_bucket?.results;
      const preconditions = nestedBlocks(firstBlock(results, 'lifecycle'), 'precondition');
      expect(preconditions.map(({ block }) => block.condition)).toEqual([
        hcl('local.results_bucket != local.input_bucket'),
      ]);
    });
  });
});
