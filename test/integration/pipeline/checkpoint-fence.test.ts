import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../shared/engines/engine.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/** Records a checkpoint after another attempt has taken the job over (as a slow engine call would). */
class TakenOverEngine implements Engine {
  readonly name = 'local';
  readonly generative = false;
  lineage?: LineageStore;
  plan() {
    return { model: 'taken-over-1', warnings: [] };
  }
  async edit(request: Parameters<Engine['edit']>[0]) {
    const lineage = this.lineage as LineageStore;
    const [job] = await lineage.listJobs();
    if (!job) throw new Error('no job');
    await lineage.updateJob(job.id, {
      attempt: job.attempt + 1,
      owner: 'another-process',
      checkpoints: { '1': { prediction: 'theirs' } },
    });
    await request.checkpoint?.({ prediction: 'mine' });
    return { image: request.input, model: 'taken-over-1', warnings: [] };
  }
}

describe('stage checkpoints', () => {
  let h: PipelineHarness;
  const engine = new TakenOverEngine();
  beforeAll(async () => {
    h = await createPipelineHarness({ engines: [engine] });
    engine.lineage = h.lineage;
  });
  afterAll(async () => {
    await h.close();
  });

  it('are not written by an attempt that a later one took over, which stops instead', async () => {
    await h.dropFile('c/photo.png', fixture('chelsea.png'));
    await h.drop('c/photo.json', { prompt: 'Make it warmer' });
    const outcome = await h.arrive('c/photo.json');
    expect(outcome).toMatchObject({ kind: 'duplicate' });
    const [job] = await h.lineage.listJobs();
    expect(job?.checkpoints).toEqual({ '1': { prediction: 'theirs' } });
  });
});
