import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eachResource } from './policy.js';
import { loadTerraformDir, nestedBlocks, referencedNames, type TerraformConfig } from './terraform-model.js';

const INFRA = join(import.meta.dirname, '../../../infra');

/**
 * The pipeline never deletes (test/integration/faults/finalize-faults.test.ts shows it): stage
 * intermediates are left to a lifecycle rule on their custom time. These are the two facts of the
 * infrastructure that this rests on.
 */
describe('intermediates under the shipped IAM', () => {
  let config: TerraformConfig;
  beforeAll(async () => {
    config = await loadTerraformDir(INFRA);
  });

  it('gives the runtime no role on the results bucket that can delete', () => {
    const roles = eachResource(config)
      .filter(([type]) => type === 'google_storage_bucket_iam_member')
      .map(([, , block]) => block)
      .filter((b) => referencedNames(b.bucket, 'google_storage_bucket').includes('results'))
      .filter((b) => String(b.member).includes('google_service_account.runtime'))
      .map((b) => b.role);
    // Neither role holds storage.objects.delete (https://cloud.google.com/storage/docs/access-control/iam-roles).
    expect(roles.sort()).toEqual(['roles/storage.objectCreator', 'roles/storage.objectViewer']);
  });

  it('expires objects by custom time on the results bucket by default', () => {
    const results = config.resources.google_storage_bucket?.results;
    const rules = nestedBlocks(results, 'lifecycle_rule');
    const byCustomTime = rules.filter((r) =>
      nestedBlocks(r.block, 'condition').some((c) => 'days_since_custom_time' in c.block),
    );
    expect(byCustomTime).toHaveLength(1);
    const days = config.variables.intermediate_retention_days?.default;
    expect(days).toBeGreaterThanOrEqual(1);
  });
});

describe('the runtime on Firestore', () => {
  it('holds datastore.user only on the lineage database, by an IAM condition', async () => {
    const config = await loadTerraformDir(INFRA);
    const grant = config.resources.google_project_iam_member?.runtime_datastore_user;
    const condition = nestedBlocks(grant, 'condition')[0]?.block;
    expect(grant?.role).toBe('roles/datastore.user');
    expect(condition?.expression).toMatch(
      /^resource\.name == "projects\/\$\{var\.project_id\}\/databases\/\$\{local\.firestore_database\}"$/,
    );
  });
});
