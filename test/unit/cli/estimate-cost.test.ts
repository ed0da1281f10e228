import { describe, expect, it } from 'vitest';
import { estimateRequestCost, estimateStageCost, formatUsd } from '../../../shared/cli/estimate-cost.js';
import { GEMINI_MODELS } from '../../../shared/engines/gemini/index.js';
import { REPLICATE_PROFILES } from '../../../shared/engines/replicate/index.js';
import { parseRequest } from '../../../shared/request/parse.js';

describe('estimateStageCost', () => {
  it('is free on the local engine', () => {
    expect(estimateStageCost({ engine: 'local', prompt: 'warmer', referenceCount: 0 }).usd).toBe(0);
  });

  it('prices a Gemini stage from the model table: output image tokens by size plus input tokens', () => {
    const price = GEMINI_MODELS['gemini-3-pro-image']?.price;
    const est = estimateStageCost({
      engine: 'gemini',
      model: 'gemini-3-pro-image',
      prompt: 'x'.repeat(400),
      referenceCount: 1,
      imageSize: '4K',
    });
    // 2000 image tokens at $120/M + (2 images × 560 + 100 text) input tokens at $2/M
    expect(price).toMatchObject({ imageOutputPerMillion: 120, inputPerMillion: 2 });
    expect(est.usd).toBeCloseTo(0.24 + 0.00244, 6);
    expect(est.basis).toMatch(/2000 image tokens at 4K/);
  });

  it('uses the deployment default Gemini model, and multiplies by variants', () => {
    const one = estimateStageCost(
      { engine: 'gemini', prompt: 'p', referenceCount: 0 },
      { geminiModel: 'gemini-2.5-flash-image' },
    );
    expect(one.model).toBe('gemini-2.5-flash-image');
    expect(one.usd).toBeCloseTo((1290 * 30 + (258 + 1) * 0.3) / 1e6, 6);
    const three = estimateStageCost(
      { engine: 'gemini', prompt: 'p', referenceCount: 0, variants: 3 },
      { geminiModel: 'gemini-2.5-flash-image' },
    );
    expect(three.usd).toBeCloseTo((one.usd ?? 0) * 3, 6);
  });

  it('prices a Replicate per-image model from its profile and cannot price a per-second one in advance', () => {
    const kontext = REPLICATE_PROFILES.get('black-forest-labs/flux-kontext-pro');
    expect(estimateStageCost({ engine: 'replicate', prompt: 'p', referenceCount: 0 }).usd).toBe(
      kontext?.price.usd,
    );
    const upscale = estimateStageCost({
      engine: 'replicate',
      model: 'nightmareai/real-esrgan',
      prompt: '',
      referenceCount: 0,
    });
    expect(upscale.usd).toBeUndefined();
    expect(upscale.basis).toMatch(/per second/);
  });

  it('costs nothing for a stage pinned to an earlier result, and knows nothing of unknown engines', () => {
    expect(estimateStageCost({ engine: 'gemini', prompt: '', referenceCount: 0, pinned: true }).usd).toBe(0);
    expect(estimateStageCost({ engine: 'imagen', prompt: 'p', referenceCount: 0 }).usd).toBeUndefined();
  });
});

describe('estimateRequestCost', () => {
  it('sums the stages on the engine each would run on', () => {
    const request = parseRequest({
      engine: 'gemini',
      stages: [
        { name: 'bg', prompt: 'replace the background' },
        { name: 'look', prompt: 'warmer', engine: 'local' },
        { name: 'kontext', prompt: 'relight', engine: 'replicate' },
      ],
    });
    const est = estimateRequestCost(request, { engine: 'local' });
    expect(est.stages.map((s) => s.engine)).toEqual(['gemini', 'local', 'replicate']);
    expect(est.complete).toBe(true);
    expect(est.knownUsd).toBeCloseTo((est.stages[0]?.usd ?? 0) + 0.04, 6);
  });
});

describe('formatUsd', () => {
  it.each([
    [undefined, 'unknown'],
    [0, '$0'],
    [0.04, '$0.04'],
    [0.0675, '$0.0675'],
    [0.000225, '$0.000225'],
    [12.5, '$12.5'],
  ])('%s → %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});
