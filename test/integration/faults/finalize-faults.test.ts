/**
 * Finalize under storage faults: the real Cloud Storage client against the GCS test server
 * (one injected failure reaches the pipeline: the client does not retry here), Firestore on the
 * emulator, the local engine. What must hold: a job whose manifest exists is succeeded, a failed
 * job always ends with its `error.json`, and the runtime never needs to delete.
 */
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.js';
import {
  createGcsPipelineHarness,
  DROP,
  type GcsPipelineHarness,
} from '../../support/gcs-pipeline-harness.js';
import { expectOutcome } from '../../support/pipeline-harness.js';

const TWO_STAGES = {
  version: 1,
  stages: [
    { name: 'warm', prompt: 'make it warmer' },
    { name: 'mono', prompt: 'black and white' },
  ],
  output: { formats: ['jpeg'], keepIntermediates: false },
};

describe('finalize under storage faults', () => {
  let h: GcsPipelineHarness;
  beforeEach(async () => {
    h = await createGcsPipelineHarness({ env: { MAX_ATTEMPTS: '2' } });
    h.upload('shop/cat.jpg', await sharp(fixture('chelsea.png')).resize({ width: 256 }).jpeg().toBuffer());
  });
  afterEach(async () => {
    await h.close();
  });

  it('keepIntermediates: false succeeds without any delete (the runtime holds objectCreator + objectViewer only)', async () => {
    h.gcs.failNext(100, 403, { method: 'DELETE' });
    h.upload('shop/cat.json', JSON.stringify(TWO_STAGES));
    const done = expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    expect(h.gcs.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    const files = [...h.files(done.prefix).keys()].sort();
    // The local engine's stages are recomputable: without kept intermediates they are recorded,
    // not stored (a resume recomputes them), so there is nothing to delete either.
    expect(files).toEqual(['compare.jpg', 'final.jpg', 'manifest.json']);
    expect(done.outputs.map((o) => o.role).sort()).toEqual(['compare', 'final', 'manifest']);
  });

  it('kept intermediates are stored with a custom time, for the lifecycle rule, and not listed as outputs', async () => {
    h.upload(
      'shop/cat.json',
      JSON.stringify({ ...TWO_STAGES, output: { ...TWO_STAGES.output, keepIntermediates: true } }),
    );
    const done = expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    expect(h.files(done.prefix).get('stages/01-warm.png')?.customTime).toBeDefined();
    expect(h.files(done.prefix).get('stages/02-mono.png')?.customTime).toBeDefined();
  });

  it('a 503 on the manifest write is redelivered and the redelivery completes from the stored stages', async () => {
    h.gcs.failNext(1, 503, { method: 'POST', object: /manifest\.json$/ });
    h.upload('shop/cat.json', JSON.stringify(TWO_STAGES));
    const first = expectOutcome(await h.arrive('shop/cat.json'), 'retry');
    expect(first.error.code).toBe('STORAGE_UNAVAILABLE');
    const second = expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    const files = h.files(second.prefix);
    expect(files.has('manifest.json')).toBe(true);
    expect(files.has('error.json')).toBe(false);
    // The stages were recorded but not stored: the redelivery recomputed them, to the recorded hashes.
    expect(files.has('stages/01-warm.png')).toBe(false);
    const manifest = JSON.parse(files.get('manifest.json')?.data.toString() ?? '{}') as {
      stages: { resumed: boolean; output: { sha256: string } }[];
    };
    const recorded = await h.lineage.listStages(second.jobId);
    expect(manifest.stages.map((s) => s.resumed)).toEqual([true, true]);
    expect(manifest.stages.map((s) => s.output.sha256)).toEqual(recorded.map((s) => s.outputAssetId));
    const job = await h.job(second.jobId);
    expect(job?.status).toBe('succeeded');
    expect(job?.error ?? undefined).toBeUndefined();
  });

  it('a manifest written by an attempt that then died completes the job, even with no attempt left', async () => {
    // The job update after the manifest fails (Firestore out), then attempts run out.
    h.upload('shop/cat.json', JSON.stringify(TWO_STAGES));
    const lineage = h.deps.lineage;
    const updateJobIfCurrent = lineage.updateJobIfCurrent.bind(lineage);
    let cut = true;
    h.deps.lineage = {
      ...lineage,
      updateJobIfCurrent: async (id, update) => {
        if (cut && update.patch.status === 'succeeded') {
          cut = false;
          throw new Error('14 UNAVAILABLE: No connection established');
        }
        return updateJobIfCurrent(id, update);
      },
    };
    const first = expectOutcome(await h.arrive('shop/cat.json'), 'retry');
    h.deps.lineage = lineage;
    expect((await h.job(first.jobId))?.status).toBe('running');
    // Attempt 2 of 2 died too (its lease ran out): the next delivery finds the attempts exhausted.
    await lineage.updateJob(first.jobId, { attempt: 2, leaseExpiresAt: new Date(0) });
    const done = expectOutcome(await h.arrive('shop/cat.json'), 'succeeded');
    const files = h.files(done.prefix);
    expect(files.has('manifest.json')).toBe(true);
    expect(files.has('error.json')).toBe(false);
    expect((await h.job(done.jobId))?.status).toBe('succeeded');
  });

  it('a failed write of error.json is redelivered, and the redelivery writes the report', async () => {
    h.upload('shop/cat.json', JSON.stringify({ version: 1, stages: [{ name: 'x', prompt: 7 }] }));
    h.gcs.failNext(1, 503, { method: 'POST', object: /error\.json$/ });
    const first = expectOutcome(await h.arrive('shop/cat.json'), 'retry');
    expect(first.error.code).toBe('STORAGE_UNAVAILABLE');
    const prefix = `shop/cat/${first.jobId}/`;
    expect(h.files(prefix).has('error.json')).toBe(false);
    expect((await h.job(first.jobId))?.status).toBe('failed');
    expectOutcome(await h.arrive('shop/cat.json'), 'duplicate');
    const report = JSON.parse(String(h.files(prefix).get('error.json')?.data)) as Record<string, unknown>;
    expect(report).toMatchObject({ jobId: first.jobId, status: 'failed', code: 'REQUEST_INVALID' });
    expect(report.message).toContain('stages[0].prompt');
    expect(h.gcs.getObject(DROP, 'shop/cat.json')).toBeDefined();
  });
});
