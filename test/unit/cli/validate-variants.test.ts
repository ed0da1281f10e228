import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../shared/cli/validate-command.js';
import { loadConfig } from '../../../shared/config.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { variantWarning } from '../../../shared/pipeline/variant-warning.js';

describe('variants of an edit that does not depend on the seed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'darkroom-variants-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function validate(body: unknown) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(body));
    const lines: string[] = [];
    const env = { DARKROOM_ENGINE: 'local' };
    const code = await validateCommand({ config: loadConfig(env), env, file, print: (l) => lines.push(l) });
    return { code, out: lines.join('\n') };
  }

  it('validate warns that local variants of "Make it warmer" would be identical', async () => {
    const { code, out } = await validate({ prompt: 'Make it warmer', variants: 3 });
    expect(code).toBe(0);
    expect(out).toMatch(/warning {3}variants: 3 .* would be identical/);
  });

  it('no warning when the edit uses the seed (film grain) or for one output', async () => {
    expect((await validate({ prompt: 'Add film grain', variants: 3 })).out).not.toMatch(/identical/);
    expect((await validate({ prompt: 'Make it warmer' })).out).not.toMatch(/identical/);
  });

  it('the local engine says which stages are seed-independent; the warning follows it', () => {
    const plan = (prompt: string) =>
      createLocalEngine().plan({ index: 1, name: 's', prompt, referenceCount: 0, params: { seed: 1 } });
    expect(plan('Make it warmer').seedIndependent).toBe(true);
    expect(plan('warmer with film grain').seedIndependent).toBeUndefined();
    expect(variantWarning({ variants: 2, plan: plan('warmer'), engine: 'local' })).toMatch(/identical/);
    expect(
      variantWarning({ variants: 2, plan: { model: 'x', warnings: [] }, engine: 'gemini' }),
    ).toBeUndefined();
  });
});
