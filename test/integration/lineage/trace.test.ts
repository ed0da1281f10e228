import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import { renderTrace, traceJob } from '../../../shared/lineage/trace.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('traceJob', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    // Small images keep the local engine fast.
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('follows an output that was fed back in as a new upload to the job that made it', async () => {
    await h.drop('shoot/cat.png', await sharp(fixture('chelsea.png')).resize(180).png().toBuffer());
    await h.drop('shoot/cat.json', { prompt: 'make it warmer', labels: { sku: 'CAT-1' } });
    const first = expectOutcome(await h.arrive('shoot/cat.png'), 'succeeded');
    const final = await h.result(`${first.prefix}final.webp`);

    // The output comes back as a new upload, with a sidecar of its own.
    await h.drop('second/cat-v2.webp', final);
    await h.drop('second/cat-v2.json', {
      stages: [{ name: 'mono', prompt: 'black and white' }, { prompt: 'more contrast' }],
    });
    const second = expectOutcome(await h.arrive('second/cat-v2.json'), 'succeeded');

    const trace = await traceJob(h.lineage, second.jobId);
    expect(trace?.job.id).toBe(second.jobId);
    expect(trace?.stages.map((s) => s.name)).toEqual(['mono', 'stage-2']);
    expect(trace?.stages[0]?.inputAssetId).toBe(hashBytes(final));
    expect(trace?.parents).toHaveLength(1);
    const parent = trace?.parents[0];
    expect(parent?.job.id).toBe(first.jobId);
    expect(parent?.job.labels).toEqual({ sku: 'CAT-1' });
    expect(parent?.stages.map((s) => s.rawPrompt)).toEqual(['make it warmer']);
    expect(parent?.parents).toEqual([]);

    const text = renderTrace(trace ?? expect.unreachable());
    const lines = text.split('\n');
    expect(lines[0]).toBe(`job ${second.jobId}  succeeded`);
    expect(text).toMatch(/^ {2}image {4}drop\/second\/cat-v2\.webp#\d+$/m);
    expect(text).toMatch(/^ {2}request {2}drop\/second\/cat-v2\.json#\d+ \(sidecar\)$/m);
    expect(text).toMatch(/^ {2}stage 1 mono: local\/\S+ seed=\d+( \(drawn\))?$/m);
    expect(text).toMatch(/^ {4}prompt {2}black and white\.$/m);
    expect(text).toContain('  input made by:');
    expect(text).toContain(`    job ${first.jobId}  succeeded`);
    expect(text).toMatch(/^ {6}image {4}drop\/shoot\/cat\.png#\d+$/m);
    expect(text).toContain('      labels   sku=CAT-1');
    expect(text).toMatch(
      new RegExp(`^ {6}output {3}final {4}results/shoot/cat/${first.jobId}/final\\.webp$`, 'm'),
    );
  });

  it('shows a failed job with its error code and message', async () => {
    await h.drop('x/p.png', await sharp(fixture('coffee.png')).resize(120).png().toBuffer());
    await h.drop('x/p.json', { prompt: 'make it warmer', engine: 'nope' });
    const failed = expectOutcome(await h.arrive('x/p.png'), 'failed');
    const trace = await traceJob(h.lineage, failed.jobId);
    expect(trace?.stages).toEqual([]);
    expect(renderTrace(trace ?? expect.unreachable()).split('\n')[0]).toMatch(
      new RegExp(
        `^job ${failed.jobId} {2}failed {2}ENGINE_UNKNOWN: stages\\[0\\]: engine "nope" is not available here`,
      ),
    );
  });

  it('returns undefined for an unknown job', async () => {
    expect(await traceJob(h.lineage, 'no-such-job')).toBeUndefined();
  });
});
