import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../shared/cli/validate-command.js';
import { loadConfig } from '../../../shared/config.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const PLACEHOLDER_JOB = '0123456789abcdef01234567';
/** The deployment the examples assume: per-request webhooks to the docs' example host are allowed. */
const WEBHOOK_ENV = { WEBHOOK_HOSTS: 'hooks.example.com', WEBHOOK_SECRET: 'whsec_ZXhhbXBsZS1zZWNyZXQ=' };
/** The bundled product shot, for the examples that cut a product out (docs/marketplaces.md runs on it). */
const PRODUCT_SHOT = join(ROOT, 'examples/drop/products/amazon/espresso-cup.png');

interface Example {
  where: string;
  body: Record<string, unknown>;
}

/**
 * Every ```json block of README.md, docs/ and examples/iterate/README.md that is a sidecar
 * (`prompt` or `stages`, or `output` beside other request fields: an output-only job) or an
 * `output` fragment alone (completed with a prompt). `<…>` placeholders
 * for a job id are filled in, as the reader would.
 */
async function sidecarExamples(): Promise<Example[]> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const out: Example[] = [];
  for (const file of ['README.md', ...docs, 'examples/iterate/README.md']) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
      const where = `${file}:${text.slice(0, m.index).split('\n').length}`;
      const source = (m[1] as string).replace(/"<job id[^"]*>"/g, `"${PLACEHOLDER_JOB}"`);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(source);
      } catch {
        continue;
      }
      if ('prompt' in body || 'stages' in body) out.push({ where, body });
      else if ('output' in body && Object.keys(body).length === 1) {
        out.push({ where, body: { prompt: 'Make it warmer', ...body } });
      } else if ('output' in body) {
        // `output` with other request fields and no prompt: an output-only request, run as it is.
        out.push({ where, body });
      }
    }
  }
  return out;
}

/** The local engine can run it: every stage on `local`, no upscale, no pin, no references. */
function localRunnable(body: Record<string, unknown>): boolean {
  const stages = (body.stages as Record<string, unknown>[] | undefined) ?? [body];
  return (
    body.upscale === undefined &&
    stages.every(
      (s) => (s.engine ?? body.engine ?? 'local') === 'local' && s.from === undefined && !s.references,
    )
  );
}

describe('every sidecar example in README.md and docs/', () => {
  let examples: Example[];
  let dir: string;
  let h: PipelineHarness;
  beforeAll(async () => {
    examples = await sidecarExamples();
    dir = await mkdtemp(join(tmpdir(), 'darkroom-doc-examples-'));
    h = await createPipelineHarness();
    h.deps.webhookHosts = WEBHOOK_ENV.WEBHOOK_HOSTS.split(',');
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes validate with no keys on this machine', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const failures: string[] = [];
    for (const [i, example] of examples.entries()) {
      const file = join(dir, `example-${i}.json`);
      await writeFile(file, JSON.stringify(example.body));
      const lines: string[] = [];
      const env = { DARKROOM_ENGINE: 'local', ...WEBHOOK_ENV };
      const code = await validateCommand({ config: loadConfig(env), env, file, print: (l) => lines.push(l) });
      if (code !== 0) failures.push(`${example.where}: ${lines.slice(0, 3).join(' ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('runs to success on the local engine where the local engine can run it', async () => {
    const runnable = examples.filter((e) => localRunnable(e.body));
    expect(runnable.map((e) => e.where)).toEqual(expect.arrayContaining(['README.md:55']));
    const failures: string[] = [];
    for (const [i, example] of runnable.entries()) {
      const cutout = /remove the background/i.test(JSON.stringify(example.body));
      await h.dropFile(`ex${i}/photo.png`, cutout ? PRODUCT_SHOT : fixture('chelsea.png'));
      await h.drop(`ex${i}/photo.json`, example.body);
      const outcome = await h.arrive(`ex${i}/photo.json`);
      if (outcome.kind !== 'succeeded') {
        failures.push(`${example.where}: ${'error' in outcome ? outcome.error.message : outcome.kind}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the function walk-through commands', () => {
  it('the structured-mode event carries the current time, not a fixed one that is stale', async () => {
    const text = await readFile(join(ROOT, 'docs/cloud-function.md'), 'utf8');
    const lines = text.split('\n').filter((l) => /"time":/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('"$(date -u +%Y-%m-%dT%H:%M:%SZ)"');
  });

  it('no command puts an emulator on 8080, the functions framework’s default port', async () => {
    for (const file of ['README.md', 'docs/cloud-function.md', 'docs/deploy.md']) {
      const text = await readFile(join(ROOT, file), 'utf8');
      expect({ file, hit: /EMULATOR_HOST=[^\s]*:8080\b/.exec(text)?.[0] }).toEqual({ file, hit: undefined });
    }
  });
});

describe('the npm start transcript in docs/cli.md', () => {
  it('lists a job for every bundled sidecar and counts them as the run and the report do', async () => {
    const cli = await readFile(join(ROOT, 'docs/cli.md'), 'utf8');
    const block = /```console\n\$ darkroom run examples\/drop[^\n]*\n([\s\S]*?)```/.exec(cli)?.[1] ?? '';
    const done = block.split('\n').filter((l) => l.startsWith('✔ '));
    const sidecars = (await readdir(join(ROOT, 'examples/drop'), { recursive: true }))
      .filter((f) => f.endsWith('.json') && !f.split('/').at(-1)?.startsWith('_'))
      .sort();
    expect(sidecars.length).toBeGreaterThan(0);
    for (const sidecar of sidecars) {
      expect({ sidecar, listed: done.some((l) => l.startsWith(`✔ ${sidecar} `)) }).toEqual({
        sidecar,
        listed: true,
      });
    }
    const n = done.length;
    expect(block).toContain(`${n} job(s): ${n} succeeded, 0 failed, 0 already done`);
    for (const text of [block, await readFile(join(ROOT, 'docs/report.md'), 'utf8')]) {
      expect(text).toContain(`Report: results/index.html (${n} jobs: ${n} succeeded)`);
    }
  });
});
