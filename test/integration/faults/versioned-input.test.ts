import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleObject } from '../../../shared/pipeline/index.js';
import { fixture } from '../../fixtures/index.js';
import {
  createGcsPipelineHarness,
  DROP,
  type GcsPipelineHarness,
  RESULTS,
} from '../../support/gcs-pipeline-harness.js';
import { expectOutcome } from '../../support/pipeline-harness.js';

/** An input bucket with object versioning: overwritten generations stay readable by generation. */
describe('events for overwritten generations, on a versioned input bucket', () => {
  let h: GcsPipelineHarness;
  beforeEach(async () => {
    h = await createGcsPipelineHarness({ versioning: true });
    h.upload('v/cat.jpg', await sharp(fixture('chelsea.png')).resize({ width: 128 }).jpeg().toBuffer());
  });
  afterEach(async () => {
    await h.close();
  });

  it('ignores the event of a generation that is no longer live, though it is still readable', async () => {
    const first = h.upload('v/cat.json', JSON.stringify({ prompt: 'make it warmer' }));
    h.upload('v/cat.json', JSON.stringify({ prompt: 'black and white' }));
    expect(
      await h.deps.store.stat({ bucket: DROP, name: 'v/cat.json', generation: first.generation }),
    ).toBeDefined();
    const stale = await handleObject(h.deps, {
      bucket: DROP,
      name: 'v/cat.json',
      generation: first.generation,
    });
    expect(stale).toEqual({
      kind: 'ignored',
      reason: 'the object was overwritten or deleted since the event',
    });
    expect(h.gcs.listObjects(RESULTS)).toEqual([]);
    expectOutcome(await h.arrive('v/cat.json'), 'succeeded');
  });
});
