import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import { createGeminiEngine } from '../../../../shared/engines/gemini/index.js';
import { msUntilPacificMidnight } from '../../../../shared/engines/gemini/quota.js';
import { isTransient, type PipelineError, type TransientError } from '../../../../shared/errors.js';
import { FIXTURES_DIR } from '../../../fixtures/index.js';
import {
  loadReplayFixture,
  type ReplayFixture,
  type ReplayServer,
  startReplayServer,
} from '../../../support/gemini-replay.js';
import { fakeClock, stagePlan } from '../../../support/gemini-server/harness.js';
import { solidImage } from '../../../support/gemini-server/images.js';
import { REPLAY_CASES } from './replay-cases.js';

let server: ReplayServer;
let input: EngineImage;
beforeAll(async () => {
  server = await startReplayServer();
  input = await solidImage([90, 60, 40], 120, 80, 'jpeg');
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** 2026-03-10 12:00 UTC: 05:00 in Los Angeles. */
const START = Date.UTC(2026, 2, 10, 12);

const envFor = (fixture: ReplayFixture): NodeJS.ProcessEnv =>
  fixture.backend === 'vertex'
    ? { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'replay-key', GOOGLE_VERTEX_BASE_URL: server.url }
    : { GEMINI_API_KEY: 'replay-key', GOOGLE_GEMINI_BASE_URL: server.url };

describe('replayed Gemini replies, through the real SDK and the engine', () => {
  it('has a conclusion for every fixture in test/fixtures/gemini', () => {
    const files = readdirSync(join(FIXTURES_DIR, 'gemini'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(REPLAY_CASES.map((c) => c.fixture).sort()).toEqual(files.sort());
  });

  it.each(REPLAY_CASES)('$fixture', async (c) => {
    const fixture = loadReplayFixture(c.fixture);
    server.serve(fixture, c.served);
    const clock = fakeClock(START);
    const engine = createGeminiEngine({ env: envFor(fixture), maxAttempts: 2, ...clock });
    const stage = stagePlan({ model: fixture.model }, { seed: 77 });
    const outcome = await engine
      .edit({ stage, input, references: [] })
      .catch((e: unknown) => e as PipelineError);
    expect(server.calls.map((call) => call.path)).toHaveLength(c.calls);
    expect(clock.sleeps).toEqual(c.sleeps ?? []);
    if (c.image) {
      expect(outcome).not.toBeInstanceOf(Error);
      const result = outcome as Awaited<ReturnType<typeof engine.edit>>;
      expect(result.image).toMatchObject({
        mimeType: c.image.mimeType,
        width: c.image.width,
        height: c.image.height,
      });
      expect(result.details).toMatchObject({
        backend: fixture.backend,
        thoughtImages: c.image.thoughtImages,
        attempts: 1,
      });
      expect(result.details?.text).toBe(c.image.text);
      expect(result.usage?.outputTokens).toBeGreaterThan(0);
      return;
    }
    const expected = c.error;
    if (!expected) throw new Error(`case ${c.fixture} states no conclusion`);
    expect(outcome).toBeInstanceOf(Error);
    const err = outcome as PipelineError;
    expect({ code: err.code, transient: isTransient(err) }).toEqual({
      code: expected.code,
      transient: expected.transient,
    });
    for (const words of expected.message) expect(err.message).toContain(words);
    if (expected.kind) expect(err.details?.kind).toBe(expected.kind);
    if ('retryAfterMs' in expected) {
      const wait =
        expected.retryAfterMs === 'until-reset' ? msUntilPacificMidnight(START) : expected.retryAfterMs;
      expect((err as TransientError).retryAfterMs).toBe(wait);
    }
    if (expected.finishMessage) expect(err.details?.finishMessage).toEqual(expect.any(String));
  });

  it('retries a reply with no image and no reason once, with another seed', async () => {
    server.serve(loadReplayFixture('dev-no-image-empty-content'));
    server.serve(loadReplayFixture('dev-3.1-flash-image-jpeg'));
    const engine = createGeminiEngine({
      env: envFor(loadReplayFixture('dev-no-image-empty-content')),
      ...fakeClock(START),
    });
    const result = await engine.edit({ stage: stagePlan({}, { seed: 77 }), input, references: [] });
    const seeds = server.calls.map((call) => call.body.generationConfig?.seed);
    expect(seeds).toHaveLength(2);
    expect(seeds[0]).toBe(77);
    expect(seeds[1]).not.toBe(77);
    expect(result.details).toMatchObject({ seed: seeds[1], requestedSeed: 77, attempts: 2 });
  });

  it('shows why the engine reads the raw body: the SDK drops finishMessage on the Developer API, keeps it on Vertex', async () => {
    const ask = async (fixture: ReplayFixture) => {
      server.serve(fixture);
      const ai = new GoogleGenAI({
        apiKey: 'replay-key',
        vertexai: fixture.backend === 'vertex',
        httpOptions: { baseUrl: server.url },
      });
      const res = await ai.models.generateContent({ model: fixture.model, contents: 'Warm the light.' });
      return res.candidates?.[0];
    };
    const dev = await ask(loadReplayFixture('dev-image-other'));
    expect(dev?.finishReason).toBe('IMAGE_OTHER');
    expect(dev?.finishMessage).toBeUndefined();
    const vertex = await ask(loadReplayFixture('vertex-image-other'));
    expect(vertex?.finishMessage).toContain('Unable to show the generated image.');
  });
});
