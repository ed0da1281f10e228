import { checkFirestore, checkFunctions } from './policy-function.js';
import type { PolicyContext, PolicyViolation } from './policy-rules.js';
import { allStrings, resolveValue, type TerraformConfig } from './terraform-model.js';

export { POLICY_RULES, type PolicyContext, type PolicyRule, type PolicyViolation } from './policy-rules.js';

/**
 * Infrastructure policy: the invariants infra/ must keep, checked statically on the
 * parsed Terraform. Each rule reports violations instead of throwing, so a test can
 * show that a deliberately bad configuration is caught by the rule meant for it.
 */

/** Options of `checkPolicy`. */
export interface CheckPolicyOptions {
  /** Variable values (as in a .tfvars file); unset variables take their defaults. */
  vars?: Record<string, unknown>;
}

/**
 * Every role the stack may grant, and the IAM resource types it may be granted
 * through (bucket-level storage roles never become project-wide).
 */
export const ALLOWED_ROLES: Readonly<Record<string, readonly string[]>> = {
  'roles/storage.objectViewer': ['google_storage_bucket_iam_member'],
  'roles/storage.objectCreator': ['google_storage_bucket_iam_member'],
  'roles/datastore.user': ['google_project_iam_member'],
  'roles/secretmanager.secretAccessor': ['google_secret_manager_secret_iam_member'],
  'roles/aiplatform.user': ['google_project_iam_member'],
  'roles/eventarc.eventReceiver': ['google_project_iam_member'],
  'roles/run.invoker': ['google_cloud_run_v2_service_iam_member'],
  'roles/pubsub.publisher': ['google_project_iam_member', 'google_pubsub_topic_iam_member'],
  'roles/run.builder': ['google_project_iam_member'],
  'roles/pubsub.subscriber': ['google_pubsub_subscription_iam_member'],
  // Tasks mode (infra/tasks-iam.tf): per queue, and on the invoker account only.
  'roles/cloudtasks.enqueuer': ['google_cloud_tasks_queue_iam_member'],
  'roles/iam.serviceAccountUser': ['google_service_account_iam_member'],
};

export const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'] as const;

/** APIs the stack cannot run without. */
export const REQUIRED_APIS = [
  'cloudfunctions.googleapis.com',
  'run.googleapis.com',
  'cloudbuild.googleapis.com',
  'artifactregistry.googleapis.com',
  'eventarc.googleapis.com',
  'pubsub.googleapis.com',
  'storage.googleapis.com',
  'firestore.googleapis.com',
  'secretmanager.googleapis.com',
  'iam.googleapis.com',
] as const;

const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];
const ACL_TYPES = [
  'google_storage_bucket_acl',
  'google_storage_default_object_acl',
  'google_storage_object_acl',
  'google_storage_bucket_access_control',
  'google_storage_default_object_access_control',
  'google_storage_object_access_control',
];

/**
 * Checks a parsed module against every rule.
 * @param config the module, from `loadTerraformDir`
 * @returns the violations, empty when the module keeps every invariant
 * @example checkPolicy(await loadTerraformDir('infra'), { vars: { use_vertex: true } })
 */
export function checkPolicy(config: TerraformConfig, options: CheckPolicyOptions = {}): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const ctx: PolicyContext = {
    config,
    vars: options.vars ?? {},
    report: (rule, address, message) => violations.push({ rule, address, message }),
  };
  for (const rule of [checkBuckets, checkIam, checkFunctions, checkFirestore, checkApis, checkVariables]) {
    rule(ctx);
  }
  return violations;
}

/**
 * Lists every resource as `[type, name, block]`.
 */
export function eachResource(config: TerraformConfig): [string, string, Record<string, unknown>][] {
  return Object.entries(config.resources).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, block]): [string, string, Record<string, unknown>] => [
      type,
      name,
      block,
    ]),
  );
}

// --- rules ------------------------------------------------------------------------

function checkBuckets({ config, vars, report }: PolicyContext): void {
  for (const [name, bucket] of Object.entries(config.resources.google_storage_bucket ?? {})) {
    const address = `google_storage_bucket.${name}`;
    if (resolveValue(config, bucket.public_access_prevention, vars) !== 'enforced') {
      report('bucket-public-access', address, 'public_access_prevention must be "enforced"');
    }
    if (resolveValue(config, bucket.uniform_bucket_level_access, vars) !== true) {
      report('bucket-uniform-access', address, 'uniform_bucket_level_access must be true');
    }
  }
  for (const type of ACL_TYPES) {
    for (const name of Object.keys(config.resources[type] ?? {})) {
      report(
        'bucket-acl',
        `${type}.${name}`,
        'ACLs are not allowed: buckets use uniform bucket-level access',
      );
    }
  }
}

function checkIam({ config, report }: PolicyContext): void {
  for (const [type, name, block] of eachResource(config)) {
    const address = `${type}.${name}`;
    const strings = allStrings(block);
    for (const member of PUBLIC_MEMBERS) {
      if (strings.some((s) => s.includes(member))) report('public-member', address, `grants to ${member}`);
    }
    for (const role of PRIMITIVE_ROLES) {
      if (strings.some((s) => new RegExp(`${role}(?![\\w.])`).test(s))) {
        report('primitive-role', address, `grants the primitive role ${role}`);
      }
    }
    if (/_iam_(binding|policy)$/.test(type)) {
      report('authoritative-iam', address, 'authoritative IAM would remove grants made outside Terraform');
      continue;
    }
    if (!type.endsWith('_iam_member')) continue;
    const role = block.role;
    if (typeof role !== 'string' || role.includes('${')) {
      report('role-allow-list', address, 'the role must be a literal, so it can be reviewed');
    } else if (!(PRIMITIVE_ROLES as readonly string[]).includes(role)) {
      const allowedOn = ALLOWED_ROLES[role];
      if (!allowedOn) report('role-allow-list', address, `${role} is not in the allow-list`);
      else if (!allowedOn.includes(type)) {
        report('role-allow-list', address, `${role} may only be granted through ${allowedOn.join(', ')}`);
      }
    }
  }
}

function checkApis({ config, report }: PolicyContext): void {
  const services = config.resources.google_project_service ?? {};
  const mentioned = allStrings([config.locals, services]).join('\n');
  for (const api of REQUIRED_APIS) {
    if (!mentioned.includes(api)) report('required-apis', 'google_project_service', `${api} is not enabled`);
  }
}

function checkVariables({ config, report }: PolicyContext): void {
  for (const [name, variable] of Object.entries(config.variables)) {
    if (typeof variable.description !== 'string' || variable.description.trim() === '') {
      report('variable-docs', `var.${name}`, 'every variable needs a description');
    }
    if (variable.type === undefined) report('variable-docs', `var.${name}`, 'every variable needs a type');
  }
}
