import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Engine, EngineImage, EngineRequest, EngineResult } from '../../../shared/engines/engine.js';
import { EngineError } from '../../../shared/errors.js';
import { editProtected, type ProtectRecord } from '../../../shared/protect/index.js';
import { DriftSchema } from '../../../shared/protect/protect-schema.js';
import { fixture } from '../engines/local/helpers.js';

/**
 * An engine that implements the port like a generative model that keeps the canvas it is sent,
 * draws a scene around the product, and — for the seeds in `moveOn` — moves the product 40 px
 * to the right, or — for `recolourOn` — tints it. Every call is recorded.
 */
class FakeModel implements Engine<EngineImage> {
  readonly name = 'fake';
  readonly generative = true;
  readonly calls: EngineRequest[] = [];
  constructor(private readonly behaviour: { moveOn?: number[]; recolourOn?: number[] }) {}
  plan() {
    return { model: 'fake-1', warnings: [] };
  }
  async edit(request: EngineRequest): Promise<EngineResult<EngineImage>> {
    this.calls.push(request);
    const seed = request.stage.params.seed;
    const { data, info } = await sharp(request.input.data)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = info;
    const out = Buffer.alloc(width * height * 3);
    const shift = this.behaviour.moveOn?.includes(seed) ? 40 : 0;
    const tint = this.behaviour.recolourOn?.includes(seed);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = x - shift;
        const i = (y * width + x) * 3;
        const j = (y * width + Math.max(0, from)) * 3;
        const onCanvas = from >= 0;
        const white = onCanvas && data[j] === 255 && data[j + 1] === 255 && data[j + 2] === 255;
        // The "scene": a warm gradient wherever the canvas was white; the product elsewhere.
        for (let c = 0; c < 3; c++) {
          const scene = [150 + (y % 50), 110, 80][c] as number;
          const product = data[j + c] as number;
          out[i + c] = !onCanvas || white ? scene : tint && c === 2 ? Math.min(255, product + 90) : product;
        }
        // A model also touches the product slightly (noise of ±1).
        if (onCanvas && !white) out[i] = Math.max(0, Math.min(255, (out[i] as number) + (((x + y) % 3) - 1)));
      }
    }
    const png = await sharp(out, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    return { image: { data: png, mimeType: 'image/png', width, height }, model: 'fake-1', warnings: [] };
  }
}

async function run(model: FakeModel, drift: Record<string, unknown> = {}) {
  const input: EngineImage = await fixture('product-on-white');
  const result = await editProtected({
    engine: model,
    request: {
      stage: {
        index: 1,
        name: 'scene',
        prompt: 'Put the cup on a warm table',
        referenceCount: 0,
        params: { seed: 7 },
      },
      input,
      references: [],
    },
    drift: DriftSchema.parse(drift),
  });
  return { result, record: result.details?.protect as ProtectRecord, input };
}

describe('editProtected', () => {
  it('keeps the product in place: one attempt, low drift, the original pixels composited back', async () => {
    const model = new FakeModel({});
    const { result, record } = await run(model);
    expect(model.calls).toHaveLength(1);
    expect(record.attempts).toEqual([expect.objectContaining({ seed: 7, accepted: true })]);
    expect(record.attempts[0]?.maskOverlap).toBeGreaterThan(0.95);
    expect(record.attempts[0]?.structuralDifference).toBeLessThan(0.05);
    expect(record.maskSource).toBe('uniform-background');
    expect(result.image.width).toBe(480);
  });

  it('a product moved on the first seed is measured, and the retry with a new recorded seed is kept', async () => {
    const model = new FakeModel({ moveOn: [7] });
    const { record, result } = await run(model);
    expect(model.calls.map((c) => c.stage.params.seed)).toEqual([7, record.chosenSeed]);
    expect(record.chosenSeed).not.toBe(7);
    expect(record.attempts[0]).toMatchObject({ seed: 7, accepted: false });
    expect(record.attempts[0]?.maskOverlap).toBeLessThan(0.8);
    expect(record.attempts[1]).toMatchObject({ accepted: true });
    expect(result.warnings).toContainEqual(expect.stringMatching(/drifted with seed 7/));
  });

  it('fails with PRODUCT_ALTERED naming every seed and its figures when all attempts moved it', async () => {
    const model = new FakeModel({ moveOn: [7, 1000010, 2000013] });
    const error = await run(model, { retries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'PRODUCT_ALTERED' });
    expect((error as Error).message).toMatch(
      /all 3 attempt\(s\) \(seed 7: overlap [0-9.]+, structural difference [0-9.]+; seed 1000010/,
    );
    expect(model.calls).toHaveLength(3);
  });

  it('with onDrift "warn" keeps the best attempt, composites the original product over it and warns', async () => {
    const model = new FakeModel({ recolourOn: [7, 1000010] });
    const { result, record, input } = await run(model, { retries: 1, onDrift: 'warn' });
    expect(record.attempts.map((a) => a.accepted)).toEqual([false, false]);
    expect(result.warnings).toContainEqual(expect.stringMatching(/altered the protected product in all 2/));
    // Inside the product's mask the output is the source product, not the tinted one.
    const out = await sharp(result.image.data).raw().toBuffer();
    const src = await sharp(input.data).removeAlpha().raw().toBuffer();
    let worst = 0;
    for (const [x, y] of [
      [230, 200],
      [232, 110],
      [300, 250],
      [150, 230],
    ] as const) {
      for (let c = 0; c < 3; c++) {
        const i = (y * 480 + x) * 3 + c;
        worst = Math.max(worst, Math.abs((out[i] as number) - (src[i] as number)));
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
  });
});
