import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTerraformDir, type TerraformConfig } from './terraform-model.js';

const ROOT = join(import.meta.dirname, '../../..');

// No YAML parser is installed; cloudbuild.yaml keeps to a plain subset these read.
const stepIds = (yaml: string) => [...yaml.matchAll(/^\s*- id: ([\w-]+)$/gm)].map((m) => m[1]);
const declared = (yaml: string) => {
  const block = /^substitutions:\n((?:[ \t]+.*\n)+)/m.exec(yaml)?.[1] ?? '';
  return [...block.matchAll(/^\s+(_[A-Z0-9_]+):/gm)].map((m) => m[1]);
};
const used = (yaml: string) => [...new Set([...yaml.matchAll(/\$\{(_[A-Z0-9_]+)\}/g)].map((m) => m[1]))];

describe('cloudbuild.yaml', () => {
  let yaml: string;
  let infra: TerraformConfig;
  beforeAll(async () => {
    yaml = await readFile(join(ROOT, 'cloudbuild.yaml'), 'utf8');
    infra = await loadTerraformDir(join(ROOT, 'infra'));
  });

  it('installs, lints, typechecks, tests and builds before it deploys', () => {
    expect(stepIds(yaml)).toEqual([
      'install',
      'lint',
      'typecheck',
      'test',
      'build',
      'terraform-init',
      'terraform-plan',
      'terraform-show',
      'terraform-apply',
    ]);
  });

  it('applies only the plan it saved and showed, never with -auto-approve', () => {
    const step = (id: string) => yaml.slice(yaml.indexOf(`- id: ${id}`)).split(/\n\s*- id: /)[0] ?? '';
    expect(yaml).not.toContain('-auto-approve');
    expect(step('terraform-plan')).toContain('"-out=tfplan"');
    expect(step('terraform-show')).toContain('"show", "-no-color", "tfplan"');
    expect(step('terraform-apply')).toContain('["-chdir=infra", "apply", "-input=false", "tfplan"]');
    expect(step('terraform-apply')).not.toContain('-var=');
  });

  it('declares every substitution it uses, and uses every one it declares', () => {
    expect(used(yaml).sort()).toEqual(declared(yaml).sort());
    expect(declared(yaml)).toEqual(expect.arrayContaining(['_REGION', '_INPUT_BUCKET', '_RESULTS_BUCKET']));
  });

  it('passes only variables the Terraform module declares', () => {
    const vars = [...yaml.matchAll(/-var=(\w+)=/g)].map((m) => m[1] ?? '');
    expect(vars).toEqual(expect.arrayContaining(['project_id', 'region', 'input_bucket_name']));
    for (const name of vars) expect(Object.keys(infra.variables)).toContain(name);
  });

  it('holds no secret', () => {
    expect(yaml).not.toMatch(/AIza[0-9A-Za-z_-]{10,}/);
    expect(yaml).not.toMatch(/(GEMINI_API_KEY|GOOGLE_API_KEY|REPLICATE_API_TOKEN)\s*[=:]/);
    expect(yaml).not.toMatch(/secret_data|api[_-]?key\s*[=:]/i);
  });
});
