/**
 * The layering as a test: the rules in `.dependency-cruiser.cjs` hold for the repository, and the
 * same rules report a cycle, an SDK import in the pipeline, an adapter or entry out of its lane and
 * an engine adapter reached past the composition roots when a tree has them; and the Cloud
 * Functions load their SDKs on the first request, not at cold start.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Cruises `paths` under `baseDir` with the repository's rules. @returns each violation as `rule: from → to` */
async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfig = extractTSConfig(join(baseDir, 'tsconfig.json'));
  const reported = await cruise(
    paths,
    { ...options, baseDir, validate: true, tsConfig: { fileName: join(baseDir, 'tsconfig.json') } },
    undefined,
    { tsConfig },
  );
  const result = reported.output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

/** The SDKs of outside services: the Cloud Functions load them on the first request, not at cold start. */
const SERVICE_SDK =
  /^node_modules\/(@google-cloud\/(firestore|pubsub|storage|tasks)|@google\/genai|google-gax)\//;

/**
 * What loading `entry` loads before anything runs: the modules it reaches through static imports
 * (a dynamic `import()` loads on use; type-only imports are compiled away).
 */
async function loadedAtStart(baseDir: string, entry: string): Promise<string[]> {
  const tsConfig = extractTSConfig(join(baseDir, 'tsconfig.json'));
  const reported = await cruise(
    [entry],
    {
      baseDir,
      tsPreCompilationDeps: false,
      doNotFollow: { path: 'node_modules' },
      tsConfig: { fileName: join(baseDir, 'tsconfig.json') },
    },
    undefined,
    { tsConfig },
  );
  const modules = new Map((reported.output as ICruiseResult).modules.map((m) => [m.source, m]));
  const loaded = new Set([entry]);
  const queue = [entry];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const dep of modules.get(next)?.dependencies ?? []) {
      if (dep.dynamic || loaded.has(dep.resolved)) continue;
      loaded.add(dep.resolved);
      queue.push(dep.resolved);
    }
  }
  return [...loaded];
}

let fixture: string | undefined;
afterEach(() => {
  if (fixture) rmSync(fixture, { recursive: true, force: true });
  fixture = undefined;
});

/** Writes a tiny tree (file → contents) with the repository's compiler settings. */
function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layering-'));
  const all = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
      include: ['shared', 'functions'],
    }),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('layering', () => {
  it('holds for the repository: no cycles, no SDK in the pipeline, adapters and entries in their lanes', async () => {
    expect(await violations(ROOT, ['shared', 'functions', 'test', 'bench'])).toEqual([]);
  });

  it('reports a cycle and an SDK import in the pipeline', async () => {
    fixture = writeTree({
      'node_modules/sharp/package.json': JSON.stringify({
        name: 'sharp',
        version: '0.0.0',
        main: 'index.js',
      }),
      'node_modules/sharp/index.js': 'module.exports = {};\n',
      'shared/pipeline/plan.ts': "import { run } from './run.js';\nexport const plan = () => run;\n",
      'shared/pipeline/run.ts': "import { plan } from './plan.js';\nexport const run = () => plan;\n",
      'shared/pipeline/decode.ts': "import sharp from 'sharp';\nexport const decode = sharp;\n",
      'shared/pipeline/types.ts': 'export type Shape = { a: number };\n',
      'shared/pipeline/step.ts':
        "import type { Shape } from './types.js';\nexport const step = (s: Shape) => s.a;\n",
    });
    const found = await violations(fixture, ['shared']);
    // One report per cycle, from whichever of its files the cruiser reaches first.
    expect(found.filter((v) => v.startsWith('no-circular:'))).toEqual([
      expect.stringMatching(
        /^no-circular: shared\/pipeline\/(plan|run)\.ts → shared\/pipeline\/(plan|run)\.ts$/,
      ),
    ]);
    expect(found.filter((v) => !v.startsWith('no-circular:'))).toEqual([
      'pipeline-no-sdk: shared/pipeline/decode.ts → node_modules/sharp/index.js',
    ]);
  });

  it('reports an adapter importing past its port and an entry importing past the faces', async () => {
    fixture = writeTree({
      'shared/pipeline/route.ts': 'export const route = 1;\n',
      'shared/pipeline/index.ts': "export { route } from './route.js';\n",
      'shared/storage/object-store.ts': 'export interface ObjectStore { read(): void }\n',
      'shared/storage/gcs-object-store.ts':
        "import type { ObjectStore } from './object-store.js';\nimport { route } from '../pipeline/route.js';\nexport const store = (s: ObjectStore) => [s, route];\n",
      'shared/cloud/start-once.ts': 'export const startOnce = 1;\n',
      'shared/cloud/index.ts': "export { startOnce } from './start-once.js';\n",
      'shared/config.ts': 'export const loadConfig = 1;\n',
      'functions/index.ts':
        "import { route } from '../shared/pipeline/route.js';\nimport { route as faced } from '../shared/pipeline/index.js';\n" +
        "import { startOnce } from '../shared/cloud/start-once.js';\nimport { startOnce as once } from '../shared/cloud/index.js';\n" +
        "import { loadConfig } from '../shared/config.js';\nexport const all = [route, faced, startOnce, once, loadConfig];\n",
    });
    expect((await violations(fixture, ['shared', 'functions'])).sort()).toEqual([
      'entries-through-faces: functions/index.ts → shared/cloud/start-once.ts',
      'entries-through-faces: functions/index.ts → shared/pipeline/route.ts',
      'storage-adapter: shared/storage/gcs-object-store.ts → shared/pipeline/route.ts',
    ]);
  });

  it('reports a module past the composition roots importing an engine adapter’s files', async () => {
    fixture = writeTree({
      'shared/engines/engine.ts': 'export interface Engine { edit(): void }\n',
      'shared/engines/local/segment.ts': 'export const separate = 1;\n',
      'shared/engines/local/pixels.ts': 'export const decode = 1;\n',
      'shared/engines/local/index.ts': "export { separate } from './segment.js';\n",
      'shared/engines/registry.ts':
        "import { separate } from './local/index.js';\nexport const all = [separate];\n",
      'shared/cli/run-command.ts':
        "import { separate } from '../engines/local/segment.js';\nexport const run = separate;\n",
      'shared/marketplace/measure.ts':
        "import type { Engine } from '../engines/engine.js';\nimport { separate } from '../engines/local/index.js';\n" +
        'export const measure = (e: Engine) => [e, separate];\n',
      'shared/protect/protect-subject.ts':
        "import { decode } from '../engines/local/pixels.js';\nimport { separate } from '../engines/local/segment.js';\n" +
        'export const protect = [decode, separate];\n',
    });
    expect((await violations(fixture, ['shared'])).sort()).toEqual([
      'engines-through-ports: shared/marketplace/measure.ts → shared/engines/local/index.ts',
      'protect-local-toolkit: shared/protect/protect-subject.ts → shared/engines/local/segment.ts',
    ]);
  });
});

describe('cold start', () => {
  it('the Cloud Functions load no service SDK and no runtime wiring before the first request', async () => {
    const loaded = await loadedAtStart(ROOT, 'functions/index.ts');
    expect(loaded).toContain('shared/cloud/index.ts');
    expect(loaded.filter((m) => SERVICE_SDK.test(m) || /^shared\/cloud\/create-/.test(m))).toEqual([]);
  });

  it('tells a lazily imported SDK from an eagerly imported one', async () => {
    fixture = writeTree({
      'node_modules/@google-cloud/storage/package.json': JSON.stringify({
        name: '@google-cloud/storage',
        version: '0.0.0',
        main: 'index.js',
      }),
      'node_modules/@google-cloud/storage/index.js': 'module.exports = {};\n',
      'shared/cloud/wiring.ts':
        "import * as storage from '@google-cloud/storage';\nexport const wire = storage;\n",
      'shared/cloud/index.ts': "export const load = () => import('./wiring.js');\n",
      'functions/index.ts': "import { load } from '../shared/cloud/index.js';\nexport const start = load;\n",
      'functions/eager.ts': "import { wire } from '../shared/cloud/wiring.js';\nexport const start = wire;\n",
    });
    expect((await loadedAtStart(fixture, 'functions/index.ts')).filter((m) => SERVICE_SDK.test(m))).toEqual(
      [],
    );
    expect((await loadedAtStart(fixture, 'functions/eager.ts')).filter((m) => SERVICE_SDK.test(m))).toEqual([
      'node_modules/@google-cloud/storage/index.js',
    ]);
  });
});
