import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineImage, EngineOutput, OutputCheck } from '../../../../shared/engines/engine.js';
import { createGeminiEngine } from '../../../../shared/engines/gemini/index.js';
import { EngineError, type PipelineError, TransientError } from '../../../../shared/errors.js';
import { createOutputCheck } from '../../../../shared/imaging/index.js';
import { fakeClock, geminiApiEnv, stagePlan } from '../../../support/gemini-server/harness.js';
import { solidImage } from '../../../support/gemini-server/images.js';
import {
  fault,
  type GeminiFault,
  type GeminiServer,
  startGeminiServer,
} from '../../../support/gemini-server.js';

let server: GeminiServer;
let input: EngineImage;

beforeAll(async () => {
  server = await startGeminiServer();
  input = await solidImage([255, 0, 0], 300, 200);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function editFailing(
  options: { maxAttempts?: number; perAttemptTimeoutMs?: number; model?: string } = {},
) {
  const engine = createGeminiEngine({ env: geminiApiEnv(server.url), ...fakeClock(), ...options });
  const err = await engine
    .edit({ stage: stagePlan({ model: options.model }), input, references: [] })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as PipelineError;
}

interface Permanent {
  title: string;
  faults: GeminiFault[];
  code: string;
  reason?: string;
  calls: number;
  message?: string;
}

const blockedBy = (finishReason: string): Permanent => ({
  title: `finishReason ${finishReason}`,
  faults: [{ kind: 'finish', finishReason, text: 'I can not make that image.' }],
  code: 'ENGINE_BLOCKED',
  reason: finishReason,
  calls: 1,
  message: 'I can not make that image.',
});

const permanent: Permanent[] = [
  {
    title: 'a blocked prompt (promptFeedback.blockReason)',
    faults: [{ kind: 'blocked', reason: 'SAFETY' }],
    code: 'ENGINE_BLOCKED',
    reason: 'SAFETY',
    calls: 1,
  },
  ...[
    'SAFETY',
    'IMAGE_SAFETY',
    'PROHIBITED_CONTENT',
    'IMAGE_PROHIBITED_CONTENT',
    'RECITATION',
    'IMAGE_RECITATION',
    'BLOCKLIST',
    'SPII',
    'A_REASON_FROM_THE_FUTURE',
  ].map(blockedBy),
  ...['IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT'].map(
    (finishReason): Permanent => ({
      title: `a ${finishReason} refusal with empty content and finishMessage`,
      faults: [{ kind: 'refused', finishReason, finishMessage: 'Unable to show the generated image.' }],
      code: 'ENGINE_BLOCKED',
      reason: finishReason,
      calls: 1,
      message: 'Google says: "Unable to show the generated image."',
    }),
  ),
  ...['IMAGE_OTHER', 'NO_IMAGE'].map(
    (finishReason): Permanent => ({
      title: `a ${finishReason} refusal with empty content and finishMessage`,
      faults: [{ kind: 'refused', finishReason, finishMessage: 'The model could not generate the image.' }],
      code: 'ENGINE_DECLINED',
      reason: finishReason,
      calls: 1,
      message: 'Google says: "The model could not generate the image."',
    }),
  ),
  {
    title: 'a candidate without parts',
    faults: [{ kind: 'no-parts', finishReason: 'SAFETY' }],
    code: 'ENGINE_BLOCKED',
    calls: 1,
  },
  {
    title: 'NO_IMAGE twice (one retry)',
    faults: [
      { kind: 'finish', finishReason: 'NO_IMAGE' },
      { kind: 'finish', finishReason: 'NO_IMAGE' },
    ],
    code: 'ENGINE_NO_IMAGE',
    reason: 'NO_IMAGE',
    calls: 2,
  },
  {
    title: 'STOP with only a text explanation (no retry)',
    faults: [{ kind: 'text-only', text: 'I cannot change the person in this photo.' }],
    code: 'ENGINE_DECLINED',
    calls: 1,
    message: 'The model said: "I cannot change the person in this photo."',
  },
  {
    title: 'NO_IMAGE with empty content and no reason, twice (one retry)',
    faults: [
      { kind: 'refused', finishReason: 'NO_IMAGE' },
      { kind: 'refused', finishReason: 'NO_IMAGE' },
    ],
    code: 'ENGINE_NO_IMAGE',
    calls: 2,
  },
  {
    title: 'a billing stop (429 with only a message): at once, never retried',
    faults: [fault.billing()],
    code: 'ENGINE_BILLING',
    calls: 1,
    message: 'prepayment credits are depleted',
  },
  {
    title: 'bytes that are not an image, twice',
    faults: [{ kind: 'bad-image' }, { kind: 'bad-image' }],
    code: 'ENGINE_BAD_OUTPUT',
    calls: 2,
  },
  {
    title: 'LANGUAGE',
    faults: [{ kind: 'finish', finishReason: 'LANGUAGE' }],
    code: 'EDIT_NOT_UNDERSTOOD',
    calls: 1,
  },
  {
    title: 'HTTP 400',
    faults: [fault.status(400, 'Request contains an invalid argument.')],
    code: 'ENGINE_REJECTED',
    calls: 1,
  },
  {
    title: 'HTTP 403',
    faults: [fault.status(403, 'Permission denied.')],
    code: 'ENGINE_PERMISSION_DENIED',
    calls: 1,
  },
];

describe('gemini engine failures', () => {
  it.each(permanent)(
    'ends with EngineError $code on $title',
    async ({ faults, code, reason, calls, message }) => {
      server.script(...faults);
      const err = await editFailing();
      expect(err).toBeInstanceOf(EngineError);
      expect(err.code).toBe(code);
      if (reason) expect(err.details?.reason).toBe(reason);
      if (message) expect(err.message).toContain(message);
      expect(server.calls).toHaveLength(calls);
    },
  );

  it('keeps the HTTP status of a refusal', async () => {
    server.inject(fault.status(403));
    expect(await editFailing()).toMatchObject({ status: 403, details: { status: 'PERMISSION_DENIED' } });
  });

  it('maps the service 404 for an unknown model to ENGINE_MODEL_NOT_FOUND', async () => {
    const err = await editFailing({ model: 'gemini-9-ultra-image' });
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'ENGINE_MODEL_NOT_FOUND', status: 404 });
    expect(err.message).toContain('models/gemini-9-ultra-image is not found');
  });

  it('maps a wrong API key (400 API_KEY_INVALID) to ENGINE_REJECTED', async () => {
    const strict = await startGeminiServer({ apiKey: 'the-right-key' });
    try {
      const engine = createGeminiEngine({ env: geminiApiEnv(strict.url, 'a-wrong-key') });
      const err = await engine.edit({ stage: stagePlan(), input, references: [] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENGINE_REJECTED', status: 400 });
      expect((err as Error).message).toContain('API key not valid');
    } finally {
      await strict.close();
    }
  });

  it('succeeds when the one retry of a reply without an image brings one, sent with a new seed', async () => {
    server.script({ kind: 'refused', finishReason: 'NO_IMAGE' });
    const engine = createGeminiEngine({ env: geminiApiEnv(server.url), ...fakeClock() });
    const result = await engine.edit({ stage: stagePlan({}, { seed: 1234 }), input, references: [] });
    const seeds = server.calls.map((c) => c.generationConfig?.seed);
    expect(seeds[0]).toBe(1234);
    expect(seeds[1]).not.toBe(1234);
    expect(result.details).toMatchObject({
      attempts: 2,
      seed: seeds[1],
      requestedSeed: 1234,
      failures: [{ attempt: 1, code: 'ENGINE_NO_IMAGE' }],
    });
  });

  it("runs the request's output check on every reply, inside its retry loop, and returns what it verified", async () => {
    server.script({ kind: 'bad-image' });
    const checked: EngineOutput[] = [];
    const check = createOutputCheck();
    const checkOutput: OutputCheck = (output, context) => {
      checked.push(output);
      return check(output, context);
    };
    const engine = createGeminiEngine({ env: geminiApiEnv(server.url), ...fakeClock() });
    const result = await engine.edit({ stage: stagePlan(), input, references: [], checkOutput });
    expect(server.calls).toHaveLength(2);
    expect(checked).toHaveLength(2);
    expect(result.details).toMatchObject({
      attempts: 2,
      failures: [{ attempt: 1, code: 'ENGINE_BAD_OUTPUT' }],
    });
    expect(result.image).toBe(await check(checked[1] as EngineOutput));
  });

  it('does not wait out a used-up daily quota: ENGINE_QUOTA_EXHAUSTED with the time to the reset', async () => {
    server.inject(fault.dailyQuota());
    // 2026-03-10 12:00 UTC is 05:00 in Los Angeles: 19 h to the daily reset.
    const clock = fakeClock(Date.UTC(2026, 2, 10, 12));
    const engine = createGeminiEngine({ env: geminiApiEnv(server.url), ...clock });
    const err = await engine.edit({ stage: stagePlan(), input, references: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'ENGINE_QUOTA_EXHAUSTED', retryAfterMs: 19 * 3_600_000 });
    expect((err as TransientError).details).toMatchObject({ kind: 'quota-per-day' });
    expect(server.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each<[string, GeminiFault]>([
    ['408', fault.status(408)],
    ['429', fault.rateLimited('1s')],
    ['500', fault.status(500)],
    ['502 with an HTML body', { kind: 'non-json-error', status: 502 }],
    ['503', fault.unavailable()],
    ['504', fault.status(504)],
    ['a dropped connection', { kind: 'drop' }],
    ['malformed JSON', { kind: 'malformed-json' }],
  ])('surfaces %s as TransientError ENGINE_UNAVAILABLE when attempts run out', async (_title, f) => {
    server.inject(f);
    const err = await editFailing({ maxAttempts: 1 });
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('ENGINE_UNAVAILABLE');
    expect(server.calls).toHaveLength(1);
  });

  it('treats a reply slower than the per-attempt timeout as transient', async () => {
    server.inject(fault.slow(5_000));
    const err = await editFailing({ maxAttempts: 1, perAttemptTimeoutMs: 150 });
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('timed out after 150 ms');
    expect(server.calls[0]?.headers['x-server-timeout']).toBe('1');
  });
});
