/**
 * `darkroom run --notify-url`: each job's outcome is POSTed, signed, to the URL given on the
 * command line; the receiver verifies every delivery with the `standardwebhooks` package.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../shared/cli/run-command.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { fixture } from '../../fixtures/index.js';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const CLI = join(REPO, 'functions/cli.ts');
// The child compiles the CLI with tsx; on a loaded 2-core machine that takes a while.
const CHILD_TIMEOUT_MS = 100_000;

let dir: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'darkroom-notify-'));
  await mkdir(join(dir, 'drop'));
  const photo = await sharp(fixture('chelsea.png')).resize({ width: 320 }).jpeg().toBuffer();
  await writeFile(join(dir, 'drop', 'cat.jpg'), photo);
  await writeFile(join(dir, 'drop', 'cat.json'), JSON.stringify({ prompt: 'Make the photo a bit warmer' }));
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

function runnerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FIRESTORE_EMULATOR_HOST: _, ...env } = process.env;
  return { ...env, DARKROOM_ENGINE: 'local', MIN_INPUT_SIDE: '64', ...extra };
}

describe('darkroom run --notify-url', () => {
  it('POSTs each job outcome once, signed per Standard Webhooks', {
    timeout: 2 * CHILD_TIMEOUT_MS,
  }, async () => {
    const env = runnerEnv({ WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, WEBHOOK_ALLOW_PRIVATE: 'true' });
    const args = [
      CLI,
      'run',
      join(dir, 'drop'),
      '--out',
      join(dir, 'results'),
      '--notify-url',
      `${receiver.url}/cli`,
    ];
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(TSX, args, { cwd: REPO, env, timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(receiver.deliveries.map((d) => [d.path, d.verified])).toEqual([['/cli', true]]);
    expect(JSON.parse(receiver.deliveries[0]?.body ?? '')).toMatchObject({
      type: 'dev.darkroom.job.v1.succeeded',
      data: { status: 'succeeded', source: { name: 'cat.jpg' } },
    });
  });

  it('refuses --notify-url without WEBHOOK_SECRET, naming the variable', async () => {
    const env = runnerEnv();
    await expect(
      runCommand({
        config: loadConfig(env),
        env,
        dropDir: join(dir, 'drop'),
        resultsDir: join(dir, 'results-nosecret'),
        watch: false,
        log: silentLogger,
        print: () => {},
        report: false,
        notifyUrl: `${receiver.url}/cli`,
      }),
    ).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('WEBHOOK_SECRET') });
  });
});
