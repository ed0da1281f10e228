import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../shared/cli/validate-command.js';
import { loadConfig } from '../../../shared/config.js';

describe('validateCommand', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'darkroom-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function validate(body: unknown, env: Record<string, string> = {}) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
    const lines: string[] = [];
    const fullEnv = { DARKROOM_ENGINE: 'local', ...env };
    const code = await validateCommand({
      config: loadConfig(fullEnv),
      env: fullEnv,
      file,
      print: (l) => lines.push(l),
    });
    return { code, out: lines.join('\n') };
  }

  it('prints every schema error with its field path and exits 1', async () => {
    const { code, out } = await validate({ stages: [{ prompt: '', seed: 1.5 }], colour: 'red' });
    expect(code).toBe(1);
    expect(out).toContain('REQUEST_INVALID');
    expect(out).toMatch(/stages\[0\]\.prompt: must be 1–2000 characters/);
    expect(out).toMatch(/stages\[0\]\.seed/);
    expect(out).toMatch(/unknown field "colour"/);
  });

  it('exits 1 for a per-request webhook to a host outside WEBHOOK_HOSTS, as run refuses it', async () => {
    const body = { prompt: 'Make it warmer', notify: { url: 'https://hooks.example.com/x' } };
    const refused = await validate(body);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/notify\.url: .*WEBHOOK_HOSTS is empty.*hooks\.example\.com/);
    const allowed = await validate(body, {
      WEBHOOK_HOSTS: 'hooks.example.com',
      WEBHOOK_SECRET: 'whsec_dGVzdA==',
    });
    expect(allowed.code).toBe(0);
  });

  it('shows the interactive and the batch-lane price (Gemini stages at half, local ones as they are)', async () => {
    const { code, out } = await validate(
      {
        lane: 'batch',
        stages: [
          {
            name: 'scene',
            engine: 'gemini',
            prompt: 'Place the product on a marble counter in soft daylight.',
          },
          { name: 'grade', engine: 'local', prompt: 'warmer' },
        ],
      },
      { GEMINI_API_KEY: 'k' },
    );
    expect(code).toBe(0);
    const match = /interactive lane \$([\d.]+) · batch lane \$([\d.]+) \(this request: batch lane/.exec(out);
    expect(match).not.toBeNull();
    // Printed to four decimals.
    expect(Number(match?.[2])).toBeCloseTo(Number(match?.[1]) / 2, 3);
    expect(Number(match?.[1])).toBeGreaterThan(0);
  });

  it('says when the file is not JSON', async () => {
    const { code, out } = await validate('{ nope');
    expect(code).toBe(1);
    expect(out).toContain('REQUEST_NOT_JSON');
  });

  it('prints the effective prompt, seed, engine, cost and the cost elsewhere for a valid local request', async () => {
    const { code, out } = await validate({
      stages: [{ name: 'light', prompt: 'warmer', keep: ['the eyes'], seed: 42 }],
    });
    expect(code).toBe(0);
    expect(out).toContain('valid (1 stage)');
    expect(out).toContain('sent      warmer. Keep the eyes unchanged; preserve all other details.');
    expect(out).toContain('seed      42 (locked)');
    expect(out).toContain('engine    local/darkroom-local-2');
    expect(out).toContain('cost      $0 (runs on this machine)');
    expect(out).toMatch(
      /elsewhere gemini gemini-3\.1-flash-image \$0\.06\d+ · replicate black-forest-labs\/flux-kontext-pro \$0\.04/,
    );
    expect(out).toContain('estimated cost per job: $0');
  });

  it('shows lint and plan warnings of a Gemini stage even without credentials here', async () => {
    const { code, out } = await validate({ engine: 'gemini', prompt: 'make it warmer', guidanceScale: 8 });
    expect(code).toBe(0);
    expect(out).toMatch(
      /note +ENGINE_NOT_CONFIGURED on this machine \(a run here fails until it is\): .*GEMINI_API_KEY/,
    );
    expect(out).toMatch(/warning +stage 1 \(stage-1\): the prompt has 3 words/);
    expect(out).toMatch(/warning +guidanceScale 8 ignored/);
    expect(out).toMatch(/estimated cost per job: \$0\.06\d+/);
  });

  it('exits 1 when an engine refuses a parameter', async () => {
    const { code, out } = await validate({ engine: 'gemini', prompt: 'warmer', imageSize: '1k' });
    expect(code).toBe(1);
    expect(out).toContain('ENGINE_PARAMETER_INVALID');
    expect(out).toContain('use an uppercase K');
  });

  it('exits 1 for an engine this build does not have', async () => {
    const { code, out } = await validate({ engine: 'imagen', prompt: 'warmer' });
    expect(code).toBe(1);
    expect(out).toMatch(/engine "imagen" is not available/);
  });
});
