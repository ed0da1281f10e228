import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../shared/cli/run-command.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { fixture } from '../../fixtures/index.js';

describe('darkroom run: the lines for images that a sidecar names with "image"', () => {
  let root: string;
  let dropDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'darkroom-image-field-'));
    dropDir = join(root, 'drop');
    await mkdir(join(dropDir, 'sub'), { recursive: true });
    const png = await sharp(fixture('coffee.png')).resize(160).png().toBuffer();
    // Beside the sidecar: its job. In another folder: refused, with the reason.
    await writeFile(join(dropDir, 'IMG_3.png'), png);
    await writeFile(
      join(dropDir, 'cup.json'),
      JSON.stringify({ prompt: 'Make it warmer', image: 'IMG_3.png' }),
    );
    await writeFile(join(dropDir, 'sub/IMG_2.png'), png);
    await writeFile(
      join(dropDir, 'mug.json'),
      JSON.stringify({ prompt: 'Make it warmer', image: 'sub/IMG_2.png' }),
    );
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports the job of an image named beside its sidecar, and refuses one in another folder', async () => {
    const { FIRESTORE_EMULATOR_HOST: saved, ...base } = process.env;
    const env = { ...base, DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64' };
    const lines: string[] = [];
    let code: number;
    try {
      // The Firestore SDK prefers the process's FIRESTORE_EMULATOR_HOST to the runner's own emulator.
      delete process.env.FIRESTORE_EMULATOR_HOST;
      code = await runCommand({
        config: loadConfig(env),
        env,
        dropDir,
        resultsDir: join(root, 'results'),
        watch: false,
        log: silentLogger,
        print: (line) => lines.push(line),
      });
    } finally {
      process.env.FIRESTORE_EMULATOR_HOST = saved;
    }
    const out = lines.join('\n');
    expect(out).not.toMatch(/IMG_3\.png: waiting/);
    expect(out).toMatch(/^✔ (IMG_3\.png|cup\.json) → /m);
    expect(out).toMatch(/^= (IMG_3\.png|cup\.json): part of job [0-9a-f]{24} above/m);
    expect(out).toMatch(
      /^✘ mug\.json failed: REFERENCE_INVALID: image: "sub\/IMG_2\.png" is in another folder; a sidecar names an image in its own folder \(move the sidecar beside the image\)/m,
    );
    // A failed job in the folder: exit 1.
    expect(code).toBe(1);
  });
});
