import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../shared/cli/validate-command.js';
import { loadConfig } from '../../../shared/config.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/** Bad requests that `run` refuses before reading an image, with the code it refuses them under. */
const CASES: { name: string; body: Record<string, unknown>; code: string; validateExit?: number }[] = [
  {
    name: 'a reference above the folder',
    body: { prompt: 'Replace the background with image 2', references: ['../secret.png'] },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'an absolute reference',
    body: { prompt: 'Replace the background with image 2', references: ['/etc/passwd'] },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'a URL reference',
    body: { prompt: 'Replace the background with image 2', references: ['https://x/y.png'] },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'a bucket off the allow-list',
    body: { prompt: 'Replace the background with image 2', references: ['gs://elsewhere/y.png'] },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'an image in another folder than the sidecar',
    body: { prompt: 'Make it warmer', image: 'sub/case.png' },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'the sidecar as its own reference',
    body: { prompt: 'Replace the background with image 2', references: ['case.json'] },
    code: 'REFERENCE_INVALID',
  },
  {
    name: 'a stage named like the upscale stage',
    body: { upscale: { minSourceSide: 64 }, stages: [{ name: 'upscale', prompt: 'warmer' }] },
    code: 'REQUEST_INVALID',
  },
  {
    name: 'a prompt the local engine does not know',
    body: { prompt: 'Add a dragon' },
    code: 'EDIT_NOT_UNDERSTOOD',
  },
  {
    name: 'image 2 without a reference',
    body: { prompt: 'Replace the background with image 2' },
    code: 'REFERENCE_MISSING',
  },
  { name: 'an unknown engine', body: { engine: 'dalle', prompt: 'warmer' }, code: 'ENGINE_UNKNOWN' },
  {
    name: 'a notify.url on a host outside WEBHOOK_HOSTS (empty)',
    body: { prompt: 'warmer', notify: { url: 'https://hooks.example.com/darkroom' } },
    code: 'REQUEST_INVALID',
  },
  // Valid as a request; this machine has no token. validate passes it and names the code.
  {
    name: 'an upscale stage without REPLICATE_API_TOKEN',
    body: { upscale: { minSourceSide: 1024 }, prompt: 'warmer' },
    code: 'ENGINE_NOT_CONFIGURED',
    validateExit: 0,
  },
];

describe('validate agrees with run on every bad input it can see without the images', () => {
  let h: PipelineHarness;
  let dir: string;
  beforeAll(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
    dir = await mkdtemp(join(tmpdir(), 'darkroom-parity-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$name → $code in both', async ({ body, code, validateExit }) => {
    const folder = `c${CASES.findIndex((c) => c.body === body)}`;
    await h.dropFile(`${folder}/case.png`, fixture('coffee.png'));
    await h.drop(`${folder}/case.json`, body);
    const outcome = await h.arrive(`${folder}/case.json`);
    expect(outcome.kind === 'failed' && outcome.error.code).toBe(code);

    await writeFile(join(dir, 'case.json'), JSON.stringify(body));
    const lines: string[] = [];
    const env = { DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64' };
    const exit = await validateCommand({
      config: loadConfig(env),
      env,
      file: join(dir, 'case.json'),
      print: (l) => lines.push(l),
    });
    expect(exit).toBe(validateExit ?? 1);
    expect(lines.join('\n')).toContain(code);
  });
});
