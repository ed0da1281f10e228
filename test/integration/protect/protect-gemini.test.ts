import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../shared/engines/local/pixels.js';
import { separateSubject } from '../../../shared/engines/local/segment.js';
import type { ProtectRecord } from '../../../shared/protect/index.js';
import { writeReport } from '../../../shared/report/index.js';
import { FIXTURES_DIR } from '../../fixtures/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/**
 * The Gemini test server answers every edit with image 1 inverted: to a protected product that is
 * a model that recolours the product completely, whatever the seed.
 */
const PROMPT =
  'Replace the studio backdrop behind the espresso cup with a warm wooden cafe counter in soft morning light. ' +
  'Keep the cup, the saucer and the spoon exactly as they are, with their colours, shapes and reflections. ' +
  'Style: natural editorial product photography with a gentle contact shadow and no added text.';

let server: GeminiServer;
let source: Buffer;

beforeAll(async () => {
  server = await startGeminiServer();
  // 1024 × 683 is the size the server answers for a 3:2 input, so no resampling blurs the comparison.
  source = await sharp(join(FIXTURES_DIR, 'local/product-on-white.png'))
    .resize(1024, 683, { fit: 'fill', kernel: 'lanczos3' })
    .png()
    .toBuffer();
});
afterAll(() => server.close());

describe('protect: subject through the real Gemini SDK and the Gemini test server', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    server.reset();
    h = await createPipelineHarness({
      env: { DARKROOM_ENGINE: 'gemini', GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url },
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('a recoloured product fails the job with PRODUCT_ALTERED after the retries, each seed recorded', async () => {
    await h.drop('shop/cup.png', source);
    await h.drop('shop/cup.json', {
      stages: [{ name: 'scene', prompt: PROMPT, seed: 11, protect: 'subject', drift: { retries: 2 } }],
    });
    const failed = expectOutcome(await h.arrive('shop/cup.png'), 'failed');
    expect(failed.error.code).toBe('PRODUCT_ALTERED');
    const seeds = server.calls.map((c) => c.generationConfig?.seed);
    expect(seeds).toHaveLength(3);
    expect(new Set(seeds).size).toBe(3);
    expect(seeds[0]).toBe(11);
    const report = await h.resultJson<{ details: { protect: ProtectRecord } }>(`${failed.prefix}error.json`);
    expect(report.details.protect.attempts.map((a) => a.seed)).toEqual(seeds);
    for (const a of report.details.protect.attempts) {
      expect(a.accepted).toBe(false);
      expect(a.maskOverlap).toBeLessThan(0.2);
      expect(a.structuralDifference).toBeGreaterThan(0.3);
    }
  });

  it('with onDrift "warn": the final product is the source product inside its mask (≤ 2/255), figures in the manifest', async () => {
    await h.drop('shop/cup.png', source);
    await h.drop('shop/cup.json', {
      stages: [
        {
          name: 'scene',
          prompt: PROMPT,
          seed: 11,
          protect: 'subject',
          drift: { retries: 1, onDrift: 'warn' },
        },
      ],
      output: { formats: ['png'] },
    });
    const done = expectOutcome(await h.arrive('shop/cup.png'), 'succeeded');
    expect(server.calls).toHaveLength(2);
    const manifest = await h.resultJson<{ stages: { protect: ProtectRecord; warnings: string[] }[] }>(
      `${done.prefix}manifest.json`,
    );
    const protect = manifest.stages[0]?.protect;
    expect(protect?.attempts).toHaveLength(2);
    expect(protect?.attempts.every((a) => a.maskOverlap < 0.2 && !a.accepted)).toBe(true);
    expect(manifest.stages[0]?.warnings).toContainEqual(
      expect.stringMatching(/altered the protected product/),
    );

    const mask = await separateSubject(await decodeFrame(source));
    const src = await sharp(source).removeAlpha().raw().toBuffer();
    const { data: out, info } = await sharp(await h.result(`${done.prefix}final.png`))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1024, 683]);
    let inside = 0;
    let worst = 0;
    for (let i = 0; i < mask.alpha.length; i++) {
      if (mask.alpha[i] !== 255) continue;
      inside++;
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs((out[i * 3 + c] as number) - (src[i * 3 + c] as number)));
    }
    expect(inside).toBeGreaterThan(1024 * 683 * 0.3);
    expect(worst).toBeLessThanOrEqual(2);
    // Outside the product, the model's (inverted) backdrop stays: the studio white became dark.
    expect(out[0] as number).toBeLessThan(40);

    // The report page shows the figures.
    const written = await writeReport({ lineage: h.lineage, resultsDir: h.resultsDir });
    const page = await readFile(written.file, 'utf8');
    expect(page).toContain('product protected (uniform-background mask)');
    expect(page).toMatch(/seed 11: overlap [0-9.]+ \(≥ 0\.8\), structural difference [0-9.]+ \(≤ 0\.2\) ✗/);
  });
});
