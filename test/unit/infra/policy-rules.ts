/** The policy's rule names and the shapes every rule shares (see policy.ts). */
import type { TerraformConfig } from './terraform-model.js';

export const POLICY_RULES = [
  'public-member',
  'bucket-public-access',
  'bucket-uniform-access',
  'bucket-acl',
  'buckets-separate',
  'input-versioning',
  'retry',
  'trigger-event',
  'trigger-bucket',
  'trigger-region',
  'role-allow-list',
  'primitive-role',
  'authoritative-iam',
  'dedicated-service-accounts',
  'timeout',
  'plain-secret',
  'secret-source',
  'firestore-index',
  'ttl-scope',
  'required-apis',
  'variable-docs',
] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** One broken invariant, at a Terraform address. */
export interface PolicyViolation {
  rule: PolicyRule;
  address: string;
  message: string;
}

/** What a rule gets. */
export interface PolicyContext {
  config: TerraformConfig;
  vars: Record<string, unknown>;
  report: (rule: PolicyRule, address: string, message: string) => void;
}
