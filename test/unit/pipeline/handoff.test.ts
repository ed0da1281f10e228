import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { TransientError } from '../../../shared/errors.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { silentLogger } from '../../../shared/log.js';
import { claimJob } from '../../../shared/pipeline/claim.js';
import { deferJob } from '../../../shared/pipeline/handoff.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import type { JobContext } from '../../../shared/pipeline/job-context.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';

const LEASE_MS = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

let lineage: LineageStore;
let clock: number;

function processDeps(owner: string): PipelineDeps {
  return {
    config: loadConfig({ LEASE_SECONDS: String(LEASE_MS / 1000), MAX_ATTEMPTS: '3' }),
    store: createFsObjectStore({ buckets: {} }),
    lineage,
    engines: new Map(),
    log: silentLogger,
    owner,
    results: { bucket: 'results', prefix: '' },
    now: () => clock,
  };
}

function freshJob(): JobRecord {
  const request = { bucket: 'drop', name: 'p.json', generation: '2' };
  return {
    id: 'job-1',
    status: 'running',
    inputs: { image: { bucket: 'drop', name: 'p.jpg', generation: '1' }, request, requestKind: 'sidecar' },
    sourceKey: 'drop/p.jpg',
    results: { bucket: 'results', prefix: 'p/job-1/' },
    labels: {},
    attempt: 1,
    owner: 'nobody',
    leaseExpiresAt: new Date(clock),
    createdAt: new Date(clock),
    updatedAt: new Date(clock),
    warnings: [],
  };
}

function contextOf(deps: PipelineDeps, job: JobRecord, attempt: number): JobContext {
  return {
    deps,
    job,
    attempt,
    log: silentLogger,
    deadline: clock + LEASE_MS,
    request: { bucket: 'drop', name: 'p.json', generation: '2', size: 2, contentType: 'application/json' },
    prefix: job.results.prefix,
    startedAt: clock,
    role: 'worker',
  } as JobContext;
}

beforeEach(() => {
  lineage = createMemoryLineageStore();
  clock = T0;
});

describe('deferJob', () => {
  const notNow = () => new TransientError('ENGINE_UNAVAILABLE', 'rate limited', { status: 429 });

  it('releases the lease and makes the attempt free while the attempt owns the job', async () => {
    const a = processDeps('process-a');
    const claim = await claimJob(a, freshJob());
    if (claim.kind !== 'claimed') throw new Error('not claimed');
    clock += 1_000;
    expect(await deferJob(contextOf(a, claim.job, claim.attempt), notNow())).toBe(true);
    const job = await lineage.getJob('job-1');
    expect(job?.freeAttempts).toBe(1);
    expect(job?.leaseExpiresAt).toEqual(new Date(clock));
  });

  it('writes nothing when a later attempt has taken the job over', async () => {
    const a = processDeps('process-a');
    const first = await claimJob(a, freshJob());
    if (first.kind !== 'claimed') throw new Error('not claimed');
    clock += 2 * LEASE_MS;
    const second = await claimJob(processDeps('process-b'), freshJob());
    expect(second).toMatchObject({ kind: 'claimed', attempt: 2 });
    const before = await lineage.getJob('job-1');
    expect(await deferJob(contextOf(a, first.job, first.attempt), notNow())).toBe(false);
    const after = await lineage.getJob('job-1');
    expect(after?.leaseExpiresAt).toEqual(before?.leaseExpiresAt);
    expect(after?.freeAttempts ?? 0).toBe(0);
    expect(after?.error).toBeUndefined();
  });
});
