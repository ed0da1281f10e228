/**
 * What the functions read against what Terraform sets: every variable the code reads is in
 * infra/README.md's "Function environment" table, the table says truly which of them
 * Terraform sets for each function, and Terraform sets nothing the code does not read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudSettingsSchema } from '../../../shared/cloud/create-cloud-runtime.js';
import { ConfigSchema } from '../../../shared/config.js';
import { DispatchSettingsSchema } from '../../../shared/dispatch/settings.js';
import { NotifyConfigSchema } from '../../../shared/notify/notify-config.js';
import {
  firstBlock,
  loadTerraformDir,
  nestedBlocks,
  resolveValue,
  type TerraformConfig,
} from './terraform-model.js';

const ROOT = join(import.meta.dirname, '../../..');

/** Variables read outside the schemas, and the file that reads each (checked below). */
const READ_ELSEWHERE: Readonly<Record<string, string>> = {
  GEMINI_API_KEY: 'shared/engines/gemini/client.ts',
  GOOGLE_API_KEY: 'shared/engines/gemini/client.ts',
  GOOGLE_GENAI_USE_VERTEXAI: 'shared/engines/gemini/client.ts',
  GOOGLE_GENAI_USE_ENTERPRISE: 'shared/engines/gemini/client.ts',
  GOOGLE_CLOUD_LOCATION: 'shared/engines/gemini/client.ts',
  GOOGLE_GEMINI_BASE_URL: 'shared/engines/gemini/client.ts',
  GOOGLE_VERTEX_BASE_URL: 'shared/engines/gemini/client.ts',
  REPLICATE_API_TOKEN: 'shared/engines/replicate/replicate-engine.ts',
  REPLICATE_BASE_URL: 'shared/engines/replicate/replicate-engine.ts',
  REPLICATE_OUTPUT_HOSTS: 'shared/engines/replicate/output-hosts.ts',
  STORAGE_EMULATOR_HOST: 'shared/cloud/create-cloud-runtime.ts',
  FIRESTORE_EMULATOR_HOST: 'shared/cloud/create-cloud-runtime.ts',
  NODE_ENV: 'shared/cloud/cloud-event-request.ts',
};

const schemaKeys = [
  ...Object.keys(ConfigSchema.in.shape),
  ...Object.keys(NotifyConfigSchema.in.shape),
  ...Object.keys(DispatchSettingsSchema.shape),
  ...Object.keys(CloudSettingsSchema.shape),
];
const READ_BY_CODE = new Set([...schemaKeys, ...Object.keys(READ_ELSEWHERE)]);

/** Where the cloud functions' code lives: all of `shared/` and `functions/` but the local runner and CLI. */
async function cloudSources(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['shared', 'functions']) {
    const names = await readdir(join(ROOT, dir), { recursive: true });
    for (const name of names) {
      const path = `${dir}/${name}`;
      if (!path.endsWith('.ts') || /^shared\/(cli|runner)\/|^functions\/cli\.ts$/.test(path)) continue;
      files.push(path);
    }
  }
  return files;
}

/** Variables a source reads directly: `env.NAME`, `env['NAME']`, `read(env, 'NAME')`. */
const DIRECT_READ =
  /\benv(?:\.([A-Z][A-Z0-9_]{2,})|\['([A-Z][A-Z0-9_]{2,})'\])|read\(env, '([A-Z][A-Z0-9_]{2,})'\)/g;

type SetBy = 'both' | 'each' | 'secret' | 'no';

/** The rows of the README table: variable → how Terraform sets it. */
async function documentedEnv(): Promise<Map<string, SetBy>> {
  const text = await readFile(join(ROOT, 'infra/README.md'), 'utf8');
  const section = text.split('## Function environment')[1] ?? '';
  const rows = new Map<string, SetBy>();
  for (const m of section.matchAll(/^\| `([A-Z_]+)`\s*\| (both|each|secret|no)\s*\|/gm)) {
    rows.set(m[1] ?? '', m[2] as SetBy);
  }
  return rows;
}

/** What Terraform gives one function: its variables and its secret mounts. */
function terraformEnv(config: TerraformConfig, name: string) {
  const service = firstBlock(config.resources.google_cloudfunctions2_function?.[name], 'service_config');
  return {
    env: Object.keys((service?.environment_variables ?? {}) as Record<string, unknown>),
    secrets: nestedBlocks(service, 'secret_environment_variables').map(({ block }) => String(block.key)),
  };
}

describe('infra: function environment against the code', () => {
  let config: TerraformConfig;
  let documented: Map<string, SetBy>;
  beforeAll(async () => {
    config = await loadTerraformDir(join(ROOT, 'infra'));
    documented = await documentedEnv();
  });

  it('names, for each variable read outside a schema, a file that reads it', async () => {
    for (const [key, file] of Object.entries(READ_ELSEWHERE)) {
      expect(await readFile(join(ROOT, file), 'utf8'), `${key} in ${file}`).toContain(key);
    }
  });

  it('knows every variable the cloud code reads directly (outside the schemas)', async () => {
    const direct = new Set<string>();
    for (const file of await cloudSources()) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(DIRECT_READ)) direct.add(m[1] ?? m[2] ?? m[3] ?? '');
    }
    expect(direct.size).toBeGreaterThan(10);
    expect([...direct].filter((k) => !READ_BY_CODE.has(k)).sort()).toEqual([]);
  });

  it('documents every variable the code reads, and only those', () => {
    const rows = [...documented.keys()];
    expect(rows.length).toBeGreaterThan(40);
    expect([...READ_BY_CODE].filter((k) => !documented.has(k))).toEqual([]);
    expect(rows.filter((k) => !READ_BY_CODE.has(k))).toEqual([]);
  });

  it.each(['darkroom', 'run_stage'])('sets for %s exactly what the table says Terraform sets', (name) => {
    const { env, secrets } = terraformEnv(config, name);
    const rows = (...kinds: SetBy[]) =>
      [...documented].filter(([, kind]) => kinds.includes(kind)).map(([key]) => key);
    expect(env.sort()).toEqual(rows('both', 'each').sort());
    expect(secrets.sort()).toEqual(rows('secret').sort());
  });

  it('gives each function its own timeout as FUNCTION_TIMEOUT_SECONDS, the only per-function variable', () => {
    const timeouts = ['darkroom', 'run_stage'].map((name) => {
      const service = firstBlock(config.resources.google_cloudfunctions2_function?.[name], 'service_config');
      const env = service?.environment_variables as Record<string, unknown>;
      return [
        resolveValue(config, env.FUNCTION_TIMEOUT_SECONDS),
        resolveValue(config, service?.timeout_seconds),
      ];
    });
    expect(timeouts).toEqual([
      [540, 540],
      [900, 900],
    ]);
    expect([...documented].filter(([, kind]) => kind === 'each').map(([key]) => key)).toEqual([
      'FUNCTION_TIMEOUT_SECONDS',
    ]);
  });
});
