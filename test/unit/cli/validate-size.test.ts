import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../shared/cli/validate-command.js';
import { loadConfig } from '../../../shared/config.js';
import { fixture } from '../../fixtures/index.js';

describe('validate says when a maxSize cannot be met by the image beside the sidecar', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'darkroom-validate-size-'));
    await writeFile(
      join(dir, 'photo.png'),
      await sharp(fixture('coffee.png')).resize(300, 200).png().toBuffer(),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function validate(output: Record<string, unknown>) {
    await writeFile(join(dir, 'photo.json'), JSON.stringify({ prompt: 'warmer', output }));
    const lines: string[] = [];
    const env = { DARKROOM_ENGINE: 'local' };
    const code = await validateCommand({
      config: loadConfig(env),
      env,
      file: join(dir, 'photo.json'),
      print: (l) => lines.push(l),
    });
    return { code, out: lines.join('\n') };
  }

  it('names what was asked and what the image gives', async () => {
    const { code, out } = await validate({ aspectRatio: '1:1', fit: 'pad', maxSize: 600 });
    expect(code).toBe(0);
    expect(out).toContain('output.maxSize 600: photo.png is 300×200, so final would be 300×300');
  });

  it('says nothing when enlarge is set or the image is large enough', async () => {
    expect((await validate({ maxSize: 600, enlarge: true })).out).not.toContain('output.maxSize');
    expect((await validate({ maxSize: 200 })).out).not.toContain('output.maxSize');
  });
});
