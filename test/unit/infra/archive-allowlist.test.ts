import { readdir } from 'node:fs/promises';
import { join, matchesGlob, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTerraformDir, type TerraformConfig } from './terraform-model.js';

const ROOT = join(import.meta.dirname, '../../..');

/** What `data.archive_file.source` holds for a checkout with these files (the locals of infra/function.tf). */
function archived(config: TerraformConfig, files: string[]): string[] {
  const globs = config.locals.source_globs as string[];
  const fixed = config.locals.source_files_fixed as string[];
  return files.filter((f) => fixed.includes(f) || globs.some((g) => matchesGlob(f, g))).sort();
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'dist'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(relative(ROOT, path));
  }
  return out;
}

describe('the function source archive', () => {
  let config: TerraformConfig;
  let checkout: string[];
  beforeAll(async () => {
    config = await loadTerraformDir(join(ROOT, 'infra'));
    checkout = await walk(ROOT);
  });

  it('holds the sources the build compiles and the package files, nothing else of the checkout', () => {
    const zip = archived(config, checkout);
    expect(zip).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']),
    );
    expect(zip).toContain('functions/index.ts');
    expect(zip).toContain('shared/pipeline/finalize.ts');
    const compiled = checkout.filter((f) => /^(functions|shared)\/.*\.ts$/.test(f));
    expect(zip).toHaveLength(compiled.length + 4);
    expect(zip.filter((f) => /^(test|docs|infra|bench|examples|\.ci)\//.test(f))).toEqual([]);
  });

  it.each([
    '.env',
    '.npmrc',
    'key.json',
    'service-account.json',
    'shared/.env',
    'shared/pipeline/credentials.json',
    'functions/id_rsa',
    'infra/terraform.tfvars',
    '.terraform/terraform.tfstate',
  ])('leaves a local %s out', (file) => {
    expect(archived(config, [...checkout, file])).not.toContain(file);
  });
});
