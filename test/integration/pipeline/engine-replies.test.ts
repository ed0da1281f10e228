import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, EngineRequest } from '../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/** An engine (named `local`, so requests reach it) that answers every edit with `reply`. */
function replyingEngine(reply: () => Promise<Buffer>, mimeType: string): Engine {
  const local = createLocalEngine();
  return {
    name: local.name,
    generative: local.generative,
    plan: (stage) => local.plan(stage),
    edit: async () => {
      const data = await reply();
      return { image: { data, mimeType, width: 64, height: 64 }, model: 'hostile-1', warnings: [] };
    },
  };
}

const SVG_BOMB =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><rect width="100%" height="100%" fill="red"/></svg>';

/** Every engine reply is checked where it arrives in the pipeline, like an upload. */
describe('engine replies', () => {
  let h: PipelineHarness;
  afterEach(async () => {
    await h.close();
  });

  async function run(engine: Engine, env: Record<string, string> = {}) {
    h = await createPipelineHarness({ engines: [engine], env: { MIN_INPUT_SIDE: '64', ...env } });
    await h.drop('p/cat.png', await sharp(fixture('chelsea.png')).resize(128, 128).png().toBuffer());
    await h.drop('p/cat.json', { prompt: 'make it warmer', output: { formats: ['png'] } });
    return h.arrive('p/cat.json');
  }

  it('refuses an SVG reply, whatever MIME type the engine claims, without rendering it', async () => {
    const failed = expectOutcome(
      await run(replyingEngine(async () => Buffer.from(SVG_BOMB), 'image/png')),
      'failed',
    );
    expect(failed.error.code).toBe('ENGINE_BAD_OUTPUT');
    expect(failed.error.message).toMatch(/not a raster image \(svg\)/);
    expect(await h.lineage.listStages(failed.jobId)).toEqual([]);
  });

  it('refuses a reply over MAX_INPUT_PIXELS from its header, before decoding it', async () => {
    const png = () =>
      sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } })
        .png()
        .toBuffer();
    const failed = expectOutcome(
      await run(replyingEngine(png, 'image/png'), { MAX_INPUT_PIXELS: '100000' }),
      'failed',
    );
    expect(failed.error.code).toBe('ENGINE_BAD_OUTPUT');
    expect(failed.error.message).toMatch(
      /returned a 400×300 PNG \(120000 pixels\), over MAX_INPUT_PIXELS \(100000\); it was not decoded/,
    );
  });

  it('hands the edit its output check, and stores the image it verified (a GIF reply as the PNG it became)', async () => {
    const local = createLocalEngine();
    const checks: Array<EngineRequest['checkOutput']> = [];
    const gif = await sharp({ create: { width: 96, height: 80, channels: 3, background: '#336699' } })
      .gif()
      .toBuffer();
    const engine: Engine = {
      name: local.name,
      generative: local.generative,
      plan: (stage) => local.plan(stage),
      edit: async (request) => {
        checks.push(request.checkOutput);
        return { image: { data: gif, mimeType: 'image/gif' }, model: 'gif-1', warnings: [] };
      },
    };
    const done = expectOutcome(await run(engine), 'succeeded');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toBeTypeOf('function');
    const [stage] = await h.lineage.listStages(done.jobId);
    expect(stage?.output.name).toMatch(/\.png$/);
    const stored = await h.deps.store.read(stage?.output as NonNullable<typeof stage>['output']);
    expect((await sharp(stored).metadata()).format).toBe('png');
    expect(stage).toMatchObject({ width: 96, height: 80 });
  });

  it('accepts a reply within the limits', async () => {
    const png = () =>
      sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } })
        .png()
        .toBuffer();
    const done = expectOutcome(
      await run(replyingEngine(png, 'image/png'), { MAX_INPUT_PIXELS: '100000' }),
      'succeeded',
    );
    expect(done.outputs.find((o) => o.role === 'final')).toMatchObject({ width: 300, height: 300 });
  });
});
