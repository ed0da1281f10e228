import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../shared/pipeline/index.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/**
 * A sidecar's `image` names a file in the sidecar's own folder, so that the pair forms whichever
 * of the two arrives first. One naming an image in another folder is refused in both orders.
 */
describe('a sidecar naming its image with "image"', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterAll(async () => {
    await h.close();
  });

  const kinds = (outcomes: Outcome[]) => outcomes.map((o) => o.kind);
  /** Uploads one file of the pair, just before its arrival: the other one is not there yet. */
  const upload = async (name: string, image: string) =>
    name.endsWith('.json')
      ? h.drop(name, { prompt: 'Make it warmer', image })
      : h.dropFile(name, fixture('coffee.png'));

  it.each([
    ['sidecar first', ['mug.json', 'IMG_2.png']],
    ['image first', ['IMG_2.png', 'mug.json']],
  ])('in its own folder: one job, %s', async (_order, arrivals) => {
    const folder = arrivals[0] === 'mug.json' ? 'own-a' : 'own-b';
    const outcomes: Outcome[] = [];
    for (const name of arrivals) {
      await upload(`${folder}/${name}`, 'IMG_2.png');
      outcomes.push(await h.arrive(`${folder}/${name}`));
    }
    // Unpaired, the first waits (nothing else has arrived); the second completes the pair.
    expect(kinds(outcomes)).toEqual(['waiting', 'succeeded']);
  });

  it.each([
    ['sidecar first', ['mug.json', 'sub/IMG_2.png']],
    ['image first', ['sub/IMG_2.png', 'mug.json']],
  ])('in another folder: refused, %s', async (_order, arrivals) => {
    const folder = arrivals[0] === 'mug.json' ? 'other-a' : 'other-b';
    const outcomes = new Map<string, Outcome>();
    for (const name of arrivals) {
      await upload(`${folder}/${name}`, 'sub/IMG_2.png');
      outcomes.set(name, await h.arrive(`${folder}/${name}`));
    }
    const sidecar = outcomes.get('mug.json');
    expect(sidecar?.kind).toBe('failed');
    if (sidecar?.kind !== 'failed') return;
    expect(sidecar.error.code).toBe('REFERENCE_INVALID');
    expect(sidecar.error.message).toMatch(
      /image: "sub\/IMG_2\.png" is in another folder; a sidecar names an image in its own folder/,
    );
    // No valid sidecar names the image, so it starts nothing by itself.
    expect(outcomes.get('sub/IMG_2.png')?.kind).toBe('waiting');
  });
});
