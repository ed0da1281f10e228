import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../../shared/lineage/records.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('manifest.json lists every file the job wrote, with its real size', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('stage outputs carry their bytes, variants 2..N are listed, stages carry details', async () => {
    await h.dropFile('chelsea.png', fixture('chelsea.png'));
    await h.drop('chelsea.json', {
      stages: [
        { name: 'warm', prompt: 'make it warmer' },
        { name: 'grain', prompt: 'add film grain', variants: 3, seed: 5 },
      ],
    });
    const done = expectOutcome(await h.arrive('chelsea.json'), 'succeeded');
    const manifest = await h.resultJson<{
      outputs: OutputRecord[];
      stages: { details?: Record<string, unknown>; variants?: { output: { name: string } }[] }[];
    }>(`${done.prefix}manifest.json`);

    const roles = manifest.outputs.map((o) => o.role);
    expect(roles).toEqual(
      expect.arrayContaining(['stage-1', 'stage-2', 'stage-2-variant-2', 'stage-2-variant-3']),
    );
    const variantFiles = manifest.stages[1]?.variants?.map((v) => v.output.name) ?? [];
    expect(variantFiles).toHaveLength(3);
    for (const name of variantFiles) expect(manifest.outputs.map((o) => o.name)).toContain(name);
    for (const out of manifest.outputs.filter((o) => o.role.startsWith('stage-'))) {
      const { size } = await stat(join(h.resultsDir, out.name));
      expect({ role: out.role, bytes: out.bytes }).toEqual({ role: out.role, bytes: size });
    }
    expect(manifest.stages[0]?.details).toMatchObject({
      operations: [expect.objectContaining({ op: 'warmer' })],
    });

    // The job record is built from the same outputs and agrees.
    const job = await h.lineage.getJob(done.jobId);
    expect(job?.outputs?.find((o) => o.role === 'stage-1')?.bytes).toBeGreaterThan(0);
    expect(job?.outputs?.map((o) => o.role)).toContain('stage-2-variant-3');
  });

  it('a run of local variants of a deterministic edit records why they are identical', async () => {
    await h.dropFile('cup.png', fixture('coffee.png'));
    await h.drop('cup.json', { prompt: 'Make it warmer', variants: 2 });
    const done = expectOutcome(await h.arrive('cup.json'), 'succeeded');
    const manifest = await h.resultJson<{ stages: { warnings: string[] }[]; warnings: string[] }>(
      `${done.prefix}manifest.json`,
    );
    expect(manifest.stages[0]?.warnings.join('\n')).toMatch(/variants: 2 .* would be identical/);
  });
});
