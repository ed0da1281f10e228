import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEntry } from '../../../shared/runner/run-folder.js';
import { watchFolder } from '../../../shared/runner/watch-folder.js';
import { fixture } from '../../fixtures/index.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/** Drives the watcher's polls one by one: `tick()` lets one poll run to its end. */
function pollDriver() {
  const waiters: (() => void)[] = [];
  let notify: (() => void) | undefined;
  const parked = async () => {
    while (waiters.length === 0) await new Promise<void>((r) => (notify = r));
  };
  return {
    wait: (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
        notify?.();
      }),
    async tick(polls = 1) {
      for (let i = 0; i < polls; i++) {
        await parked();
        (waiters.shift() as () => void)();
        await parked();
      }
    },
  };
}

describe('watchFolder with files still being written', () => {
  let h: PipelineHarness;
  let entries: RunEntry[];
  let controller: AbortController;
  let watching: Promise<void>;
  let polls: ReturnType<typeof pollDriver>;
  beforeEach(async () => {
    h = await createPipelineHarness({ env: { MIN_INPUT_SIDE: '64' } });
    entries = [];
    controller = new AbortController();
    polls = pollDriver();
    watching = watchFolder(h.deps, {
      bucket: 'drop',
      signal: controller.signal,
      wait: polls.wait,
      settlePolls: 4,
      onEntry: (entry) => {
        entries.push(entry);
      },
    });
    await polls.tick();
  });
  afterEach(async () => {
    controller.abort();
    await watching;
    await h.close();
  });

  const kinds = () => entries.map((e) => `${e.object}:${e.outcome.kind}`);

  it('a PNG copied in chunks slower than the polls ends as one succeeded job, no failed one', async () => {
    const png = await sharp(fixture('coffee.png')).resize(120).png().toBuffer();
    await h.drop('cup.json', { prompt: 'brighter' });
    await writeFile(join(h.dropDir, 'cup.png'), png.subarray(0, png.length >> 1));
    await polls.tick(3);
    expect(kinds()).toEqual([]);
    await appendFile(join(h.dropDir, 'cup.png'), png.subarray(png.length >> 1));
    await polls.tick(2);
    // The pair is handled in one poll: one arrival starts the job, the other finds it done.
    expect(entries.map((e) => e.outcome.kind).sort()).toEqual(['duplicate', 'succeeded']);
    const jobs = await h.lineage.listJobs();
    expect(jobs.map((j) => j.status)).toEqual(['succeeded']);
  });

  it('an empty file (touch, then cp) is not handled until it has its bytes', async () => {
    const jpeg = await sharp(fixture('coffee.png')).resize(120).jpeg().toBuffer();
    await h.drop('_recipe.json', { prompt: 'darker' });
    await writeFile(join(h.dropDir, 'empty.jpg'), Buffer.alloc(0));
    await polls.tick(3);
    expect(kinds()).toEqual([]);
    await writeFile(join(h.dropDir, 'empty.jpg'), jpeg);
    await polls.tick(2);
    expect(kinds()).toEqual(['empty.jpg:succeeded']);
    expect((await h.lineage.listJobs()).map((j) => j.status)).toEqual(['succeeded']);
  });

  it('a file that stays cut short is handled after settlePolls and fails as corrupt', async () => {
    const jpeg = await sharp(fixture('coffee.png')).resize(120).jpeg().toBuffer();
    await h.drop('_recipe.json', { prompt: 'darker' });
    await writeFile(join(h.dropDir, 'cut.jpg'), jpeg.subarray(0, jpeg.length >> 1));
    await polls.tick(4);
    expect(kinds()).toEqual([]);
    await polls.tick(1);
    expect(kinds()).toEqual(['cut.jpg:failed']);
    const outcome = entries[0]?.outcome;
    expect(outcome?.kind === 'failed' && outcome.error.code).toBe('IMAGE_CORRUPT');
  });
});
