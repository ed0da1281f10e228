import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/errors.js';
import { checkEngineOutput, createOutputCheck } from '../../../shared/imaging/index.js';
import { readBadFixture, readFixture } from '../../fixtures/index.js';

describe('checkEngineOutput', () => {
  it('sniffs the real type, whatever the engine declared', async () => {
    const image = await checkEngineOutput({ data: readFixture('coffee.png'), mimeType: 'image/jpeg' });
    expect(image).toMatchObject({ mimeType: 'image/png', width: 600, height: 400 });
  });

  it('names the source and keeps the declared type in the details of a refusal', async () => {
    const err = await checkEngineOutput(
      { data: readBadFixture('drawing.svg'), mimeType: 'image/png' },
      { source: 'Replicate: output of prediction p1 (m)' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({
      code: 'ENGINE_BAD_OUTPUT',
      details: { format: 'svg', declared: 'image/png' },
    });
    expect((err as Error).message).toMatch(
      /^Replicate: output of prediction p1 \(m\) returned \d+ bytes that are not a raster image \(svg\)\.$/,
    );
  });

  it('refuses more pixels than maxPixels from the header', async () => {
    const err = await checkEngineOutput(
      { data: readFixture('coffee.png'), mimeType: 'image/png' },
      { maxPixels: 1000 },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENGINE_BAD_OUTPUT', details: { pixels: 240_000 } });
  });
});

describe('createOutputCheck', () => {
  it('checks each output once: the same bytes, or what the check made of them, get the same answer', async () => {
    const check = createOutputCheck({ maxPixels: 1_000_000 });
    const jpeg = { data: readBadFixture('orientation-6.jpg'), mimeType: 'image/jpeg' };
    const first = check(jpeg);
    expect(check({ ...jpeg })).toBe(first);
    const image = await first;
    expect(image).toMatchObject({ mimeType: 'image/png', width: 300, height: 400 });
    expect(check(image)).toBe(first);
    const other = createOutputCheck();
    expect(other(jpeg)).not.toBe(first);
  });

  it('applies its pixel cap', async () => {
    const check = createOutputCheck({ maxPixels: 1000 });
    const err = await check({ data: readFixture('coffee.png'), mimeType: 'image/png' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ENGINE_BAD_OUTPUT' });
  });
});
