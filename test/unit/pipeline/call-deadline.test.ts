import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { TransientError } from '../../../shared/errors.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import { silentLogger } from '../../../shared/log.js';
import { callCutoff, withCallDeadline } from '../../../shared/pipeline/call-deadline.js';
import type { PipelineDeps } from '../../../shared/pipeline/deps.js';
import type { ObjectStore } from '../../../shared/storage/object-store.js';

/** A store whose `stat` never answers and whose `list` answers at once. */
const stuckStore = {
  kind: 'stuck',
  stat: () => new Promise(() => undefined),
  list: async () => [],
  read: async () => {
    throw new Error('read failed');
  },
  create: () => new Promise(() => undefined),
  delete: async () => undefined,
} as unknown as ObjectStore;

function deps(now: number): PipelineDeps {
  return {
    config: loadConfig({ DARKROOM_ENGINE: 'local', DEADLINE_MARGIN_SECONDS: '4' }),
    store: stuckStore,
    lineage: createMemoryLineageStore(),
    engines: { get: () => undefined, names: () => [] } as unknown as PipelineDeps['engines'],
    log: silentLogger,
    owner: 'test',
    results: { bucket: 'results', prefix: '' },
    now: () => now,
  };
}

describe('withCallDeadline', () => {
  it('cuts calls off half-way through the deadline margin', () => {
    expect(callCutoff(deps(0), 10_000)).toBe(12_000);
  });

  it('rejects a call still pending at the cutoff with DEADLINE_EXCEEDED, naming the call', async () => {
    const d = deps(Date.now());
    const bounded = withCallDeadline(d, Date.now() + 20);
    const error = await bounded.store.stat({ bucket: 'b', name: 'n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect((error as Error).message).toBe(
      "Cloud Storage stat did not answer before the invocation's deadline; the platform redelivers the event",
    );
  });

  it('passes answers and errors through, and keeps non-function members', async () => {
    const d = deps(Date.now());
    const bounded = withCallDeadline(d, Date.now() + 60_000);
    expect(bounded.store.kind).toBe('stuck');
    await expect(bounded.store.list('b', '')).resolves.toEqual([]);
    await expect(bounded.store.read({ bucket: 'b', name: 'n' })).rejects.toThrow('read failed');
    await expect(bounded.lineage.getJob('none')).resolves.toBeUndefined();
  });

  it('refuses at once a call made after the cutoff, without making it', async () => {
    const d = deps(5_000);
    let made = false;
    d.lineage = {
      ...d.lineage,
      getJob: async () => {
        made = true;
        return undefined;
      },
    };
    const bounded = withCallDeadline(d, 4_000);
    await expect(bounded.lineage.getJob('j')).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(made).toBe(false);
  });
});
