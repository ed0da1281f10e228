import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseForEntries, resolveMapExpression } from './terraform-expand.js';
import { firstBlock, nestedBlocks, overlayTerraform, parseTerraform } from './terraform-model.js';

const hcl = (expr: string) => `\${${expr}}`;

/** A module of one function whose service_config is `body`, next to `locals`. */
async function functionWith(locals: string, body: string) {
  const config = await parseTerraform([
    {
      name: 'main.tf',
      contents: `
        locals {
          ${locals}
        }
        resource "google_cloudfunctions2_function" "fn" {
          service_config {
            ${body}
          }
        }`,
    },
  ]);
  return firstBlock(config.resources.google_cloudfunctions2_function?.fn, 'service_config') ?? {};
}

describe('resolveMapExpression', () => {
  interface TestData {
    name: string;
    value: unknown;
    expected: Record<string, unknown>;
  }
  const locals = { shared: { A: hcl('var.a'), B: 'x' }, alias: hcl('local.shared') };
  const cases: TestData[] = [
    { name: 'a literal map', value: { K: 'v' }, expected: { K: 'v' } },
    { name: 'a local', value: hcl('local.shared'), expected: { A: hcl('var.a'), B: 'x' } },
    { name: 'a local naming a local', value: hcl('local.alias'), expected: { A: hcl('var.a'), B: 'x' } },
    {
      name: 'merge of a local and a literal, the later key winning',
      value: hcl('merge(local.shared, {\n  B = var.b\n  "C" = "lit"\n  D = 3\n})'),
      expected: { A: hcl('var.a'), B: hcl('var.b'), C: 'lit', D: 3 },
    },
    {
      name: 'merge keeping commas and braces inside values',
      value: hcl('merge({ J = join(",", var.list), T = var.on ? "a" : "" }, local.shared)'),
      expected: { J: hcl('join(",", var.list)'), T: hcl('var.on ? "a" : ""'), A: hcl('var.a'), B: 'x' },
    },
  ];
  it.each(cases)('resolves $name', ({ value, expected }) => {
    expect(resolveMapExpression(locals, value)).toEqual(expected);
  });

  it('throws, naming the expression, for what it cannot resolve', () => {
    expect(() => resolveMapExpression(locals, hcl('local.missing'))).toThrow('local.missing is not defined');
    expect(() => resolveMapExpression(locals, hcl('tomap(var.env)'))).toThrow(/tomap\(var\.env\)/);
  });
});

describe('parseForEntries', () => {
  it('reads one entry per for expression of a merge, with the loop variable as @', () => {
    expect(
      parseForEntries(
        'merge(\n { for s in google_secret_manager_secret.a : "A_KEY" => s.secret_id },\n { for x in res.b[*] : "B_KEY" => x },\n)',
      ),
    ).toEqual([
      { key: 'A_KEY', collection: 'google_secret_manager_secret.a', value: '@.secret_id' },
      { key: 'B_KEY', collection: 'res.b[*]', value: '@' },
    ]);
  });

  it('leaves other shapes alone', () => {
    expect(parseForEntries('merge({ A = 1 })')).toBeUndefined();
    expect(parseForEntries('var.secrets')).toBeUndefined();
  });
});

describe('parseTerraform: function blocks over locals', () => {
  it('reads environment_variables = merge(local.x, {...}) as the literal map', async () => {
    const service = await functionWith(
      'env = { LOG_FORMAT = "json", BUCKET = google_storage_bucket.results.name }',
      'environment_variables = merge(local.env, { FUNCTION_TIMEOUT_SECONDS = var.timeout })',
    );
    expect(service.environment_variables).toEqual({
      LOG_FORMAT: 'json',
      BUCKET: hcl('google_storage_bucket.results.name'),
      FUNCTION_TIMEOUT_SECONDS: hcl('var.timeout'),
    });
  });

  it('expands a dynamic block over a local merge of for expressions into one block per entry', async () => {
    const service = await functionWith(
      `secret_env = merge(
         { for s in google_secret_manager_secret.gemini_api_key : "GEMINI_API_KEY" => s.secret_id },
         { for s in google_secret_manager_secret.webhook_secret : "WEBHOOK_SECRET" => s.secret_id },
       )`,
      `dynamic "secret_environment_variables" {
         for_each = local.secret_env
         content {
           key     = secret_environment_variables.key
           secret  = secret_environment_variables.value
           version = "latest"
         }
       }`,
    );
    expect(nestedBlocks(service, 'secret_environment_variables')).toEqual([
      {
        forEach: hcl('google_secret_manager_secret.gemini_api_key'),
        block: {
          key: 'GEMINI_API_KEY',
          secret: hcl('secret_environment_variables.value.secret_id'),
          version: 'latest',
        },
      },
      {
        forEach: hcl('google_secret_manager_secret.webhook_secret'),
        block: {
          key: 'WEBHOOK_SECRET',
          secret: hcl('secret_environment_variables.value.secret_id'),
          version: 'latest',
        },
      },
    ]);
  });

  it('honours a dynamic block iterator name, and leaves a dynamic over anything else as written', async () => {
    const service = await functionWith(
      `named = merge({ for s in res.x : "K" => s.id })
       plain = ["a", "b"]`,
      `dynamic "mount" {
         for_each = local.named
         iterator = m
         content {
           key  = m.key
           path = "/run/\${m.value}"
         }
       }
       dynamic "other" {
         for_each = local.plain
         content {
           v = other.value
         }
       }`,
    );
    expect(nestedBlocks(service, 'mount')).toEqual([
      { forEach: hcl('res.x'), block: { key: 'K', path: `/run/${hcl('m.value.id')}` } },
    ]);
    expect(nestedBlocks(service, 'other')).toEqual([
      { forEach: hcl('local.plain'), block: { v: hcl('other.value') } },
    ]);
  });

  it('fails the parse, naming the function, when an environment cannot be resolved', async () => {
    await expect(functionWith('', 'environment_variables = var.env')).rejects.toThrow(
      /google_cloudfunctions2_function\.fn\.service_config: cannot resolve environment_variables/,
    );
  });

  it('merges an overlay into the resolved map, as into a literal one', async () => {
    const config = await parseTerraform([
      {
        name: 'main.tf',
        contents: `
          locals {
            env = { A = "a", B = "b" }
          }
          resource "google_cloudfunctions2_function" "fn" {
            service_config {
              environment_variables = local.env
            }
          }`,
      },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'overlay-'));
    const file = join(dir, 'overlay.tf');
    await writeFile(
      file,
      'resource "google_cloudfunctions2_function" "fn" {\n service_config {\n environment_variables = { B = "x" }\n }\n}\n',
    );
    const merged = await overlayTerraform(config, file);
    const service = firstBlock(merged.resources.google_cloudfunctions2_function?.fn, 'service_config');
    expect(service?.environment_variables).toEqual({ A: 'a', B: 'x' });
  });
});
