import { describe, expect, it } from 'vitest';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { silentLogger } from '../../../shared/log.js';
import type { CompletionEvent } from '../../../shared/notify/completion-event.js';
import { notifyCompletion } from '../../../shared/notify/notify-completion.js';
import { notifyOutcome } from '../../../shared/notify/notify-outcome.js';
import type { CompletionPublisher } from '../../../shared/notify/publisher.js';
import type { Outcome } from '../../../shared/pipeline/index.js';
import { jobRecord } from '../../support/lineage-store-contract.js';

const NOW = Date.parse('2026-03-01T12:10:00.000Z');

/** A publisher that records what it was given, or fails like an unreachable service. */
class FakePublisher implements CompletionPublisher {
  readonly target = 'projects/p/topics/done';
  readonly published: CompletionEvent[] = [];
  failing = false;
  async publish(event: CompletionEvent): Promise<string> {
    if (this.failing) throw Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    this.published.push(event);
    return String(this.published.length);
  }
}

async function world(job: Partial<JobRecord>) {
  const lineage: LineageStore = createMemoryLineageStore();
  await lineage.createJob(jobRecord('j1', { finishedAt: new Date(NOW - 1000), ...job }));
  const publisher = new FakePublisher();
  const deps = { lineage, log: silentLogger, publisher, now: () => NOW };
  return { lineage, publisher, deps };
}

describe('notifyCompletion', () => {
  it('publishes an ended job once and records the message on the job', async () => {
    const { lineage, publisher, deps } = await world({ status: 'succeeded' });
    await notifyCompletion(deps, 'j1');
    await notifyCompletion(deps, 'j1');
    expect(publisher.published.map((e) => e.id)).toEqual(['j1']);
    expect((await lineage.getJob('j1'))?.notifications?.pubsub).toEqual({
      topic: 'projects/p/topics/done',
      messageId: '1',
      publishedAt: new Date(NOW),
    });
  });

  it('never publishes for a job that has not ended', async () => {
    const { publisher, deps } = await world({ status: 'running' });
    await notifyCompletion(deps, 'j1');
    await notifyCompletion(deps, 'missing');
    expect(publisher.published).toEqual([]);
  });

  it('throws NOTIFY_UNAVAILABLE (transient) when the service refuses, and records nothing', async () => {
    const { lineage, publisher, deps } = await world({
      status: 'failed',
      error: { code: 'IMAGE_CORRUPT', message: 'x' },
    });
    publisher.failing = true;
    await expect(notifyCompletion(deps, 'j1')).rejects.toMatchObject({
      name: 'TransientError',
      code: 'NOTIFY_UNAVAILABLE',
      message: expect.stringContaining('projects/p/topics/done'),
    });
    expect((await lineage.getJob('j1'))?.notifications).toBeUndefined();
    publisher.failing = false;
    await notifyCompletion(deps, 'j1');
    expect(publisher.published.map((e) => e.attributes['ce-type'])).toEqual(['dev.darkroom.job.v1.failed']);
  });
});

describe('notifyOutcome', () => {
  it.each<[Outcome, number]>([
    [{ kind: 'succeeded', jobId: 'j1', prefix: 'p/', outputs: [] }, 1],
    [{ kind: 'duplicate', jobId: 'j1', status: 'succeeded' }, 1],
    [{ kind: 'duplicate', jobId: 'j1', status: 'running' }, 0],
    [{ kind: 'busy', jobId: 'j1' }, 0],
    [{ kind: 'waiting', reason: 'no sidecar yet' }, 0],
  ])('%o publishes %i message(s)', async (outcome, count) => {
    const { publisher, deps } = await world({ status: 'succeeded' });
    await notifyOutcome(deps, outcome);
    expect(publisher.published).toHaveLength(count);
  });
});
