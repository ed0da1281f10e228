import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../shared/engines/engine.js';
import { createLocalEngine } from '../../../shared/engines/local/index.js';
import { fixture } from '../../fixtures/index.js';
import { createGcsPipelineHarness, type GcsPipelineHarness } from '../../support/gcs-pipeline-harness.js';
import { expectOutcome } from '../../support/pipeline-harness.js';

/** The local engine, counting its edits (each one a paid call on a model engine). */
function countingLocalEngine(): { engine: Engine; calls: () => number } {
  const local = createLocalEngine();
  let calls = 0;
  return {
    engine: {
      ...local,
      edit: (request) => {
        calls++;
        return local.edit(request);
      },
    },
    calls: () => calls,
  };
}

const REQUEST = {
  version: 1,
  stages: [{ name: 'warm', prompt: 'make it warmer' }],
  output: { formats: ['jpeg'], compareSheet: false },
};

describe('stage outputs under storage faults', () => {
  let h: GcsPipelineHarness;
  let counter: ReturnType<typeof countingLocalEngine>;
  const pauses: number[] = [];
  beforeEach(async () => {
    counter = countingLocalEngine();
    h = await createGcsPipelineHarness({ engines: [counter.engine] });
    pauses.length = 0;
    h.deps.sleep = async (ms) => {
      pauses.push(ms);
    };
    h.upload('shop/cat.jpg', await sharp(fixture('chelsea.png')).resize({ width: 200 }).jpeg().toBuffer());
  });
  afterEach(async () => {
    await h.close();
  });

  it('retries a stage-output write that failed with 503, not the engine call', async () => {
    h.gcs.failNext(2, 503, { method: 'POST', object: /\/stages\/01-warm\.png$/ });
    h.upload('shop/cat.json', JSON.stringify(REQUEST));
    expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    expect(counter.calls()).toBe(1);
    expect(pauses).toEqual([250, 500]);
  });

  it('redelivers after a transient error reading a cached stage, instead of paying for the stage again', async () => {
    h.upload('shop/cat.json', JSON.stringify(REQUEST));
    expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    expect(counter.calls()).toBe(1);
    // The same stage on the same image, from another job (a new sidecar): a cache hit.
    h.upload('shop/cat.json', JSON.stringify({ ...REQUEST, labels: { run: '2' } }));
    h.gcs.failNext(1, 503, { method: 'GET', object: /\/stages\/01-warm\.png$/ });
    const retry = expectOutcome(await h.arrive('shop/cat.json'), 'retry');
    expect(retry.error.code).toBe('STORAGE_UNAVAILABLE');
    expect(counter.calls()).toBe(1);
    const done = expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    expect(counter.calls()).toBe(1);
    expect(done.jobId).toBe(retry.jobId);
  });
});
