import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { silentLogger } from '../../../shared/log.js';
import { claimJob, renewLease } from '../../../shared/pipeline/claim.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 3;
const T0 = Date.parse('2026-01-01T00:00:00Z');

let lineage: LineageStore;
let clock: number;

/** The deps of one process (`owner`), sharing the lineage store and the clock. */
function processDeps(owner: string): PipelineDeps {
  return {
    config: loadConfig({ LEASE_SECONDS: String(LEASE_MS / 1000), MAX_ATTEMPTS: String(MAX_ATTEMPTS) }),
    store: createFsObjectStore({ buckets: {} }),
    lineage,
    engines: new Map(),
    log: silentLogger,
    owner,
    results: { bucket: 'results', prefix: '' },
    now: () => clock,
  };
}

function freshJob(id = 'job-1'): JobRecord {
  return {
    id,
    status: 'running',
    inputs: {
      image: { bucket: 'drop', name: 'p.jpg', generation: '1' },
      request: { bucket: 'drop', name: 'p.json', generation: '2' },
      requestKind: 'sidecar',
    },
    sourceKey: 'drop/p.jpg',
    results: { bucket: 'results', prefix: `p/${id}/` },
    labels: {},
    attempt: 1,
    owner: 'nobody',
    leaseExpiresAt: new Date(clock),
    createdAt: new Date(clock),
    updatedAt: new Date(clock),
    warnings: [],
  };
}

const a = () => processDeps('process-a');
const b = () => processDeps('process-b');
const c = () => processDeps('process-c');

beforeEach(() => {
  lineage = createMemoryLineageStore();
  clock = T0;
});

describe('claimJob', () => {
  it('claims a new job as attempt 1 with a lease, and records the attempt', async () => {
    const claim = await claimJob(a(), freshJob());
    expect(claim).toMatchObject({ kind: 'claimed', attempt: 1 });
    const job = await lineage.getJob('job-1');
    expect(job).toMatchObject({ status: 'running', attempt: 1, owner: 'process-a' });
    expect(job?.leaseExpiresAt).toEqual(new Date(T0 + LEASE_MS));
    expect(await lineage.createAttempt('job-1', { attempt: 1, owner: 'x', startedAt: new Date() })).toBe(
      false,
    );
  });

  it.each(['succeeded', 'failed'] as const)(
    'acknowledges a duplicate delivery of a %s job',
    async (status) => {
      await claimJob(a(), freshJob());
      await lineage.updateJob('job-1', { status });
      clock += 10 * LEASE_MS;
      const claim = await claimJob(b(), freshJob());
      expect(claim.kind).toBe('finished');
      expect(claim.job.status).toBe(status);
      expect((await lineage.getJob('job-1'))?.owner).toBe('process-a');
    },
  );

  it('backs off while another attempt holds a live lease', async () => {
    await claimJob(a(), freshJob());
    clock += LEASE_MS - 1;
    const claim = await claimJob(b(), freshJob());
    expect(claim.kind).toBe('busy');
    expect((await lineage.getJob('job-1'))?.owner).toBe('process-a');
  });

  it('takes over an expired lease as attempt 2', async () => {
    await claimJob(a(), freshJob());
    clock += LEASE_MS + 1;
    const claim = await claimJob(b(), freshJob());
    expect(claim).toMatchObject({ kind: 'claimed', attempt: 2 });
    const job = await lineage.getJob('job-1');
    expect(job).toMatchObject({ attempt: 2, owner: 'process-b', status: 'running' });
    expect(job?.leaseExpiresAt).toEqual(new Date(clock + LEASE_MS));
    expect(job?.createdAt).toEqual(new Date(T0));
  });

  it('lets exactly one of two racing takeovers win', async () => {
    await claimJob(a(), freshJob());
    clock += LEASE_MS + 1;
    const claims = await Promise.all([claimJob(b(), freshJob()), claimJob(c(), freshJob())]);
    const kinds = claims.map((k) => k.kind).sort();
    expect(kinds).toEqual(['busy', 'claimed']);
    const winner = claims.find((k) => k.kind === 'claimed');
    expect(winner).toMatchObject({ attempt: 2 });
    expect((await lineage.getJob('job-1'))?.attempt).toBe(2);
  });

  it('reports the job exhausted once MAX_ATTEMPTS attempts have expired', async () => {
    const attempts: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const claim = await claimJob(i % 2 ? b() : a(), freshJob());
      if (claim.kind === 'claimed') attempts.push(claim.attempt);
      clock += LEASE_MS + 1;
    }
    expect(attempts).toEqual([1, 2, 3]);
    const claim = await claimJob(c(), freshJob());
    expect(claim.kind).toBe('exhausted');
    expect(claim.job.attempt).toBe(MAX_ATTEMPTS);
  });

  it('keeps jobs apart by id', async () => {
    expect((await claimJob(a(), freshJob('one'))).kind).toBe('claimed');
    expect((await claimJob(b(), freshJob('two'))).kind).toBe('claimed');
  });
});

describe('renewLease', () => {
  it('extends the lease of the current attempt', async () => {
    await claimJob(a(), freshJob());
    clock += LEASE_MS / 2;
    expect(await renewLease(a(), 'job-1', 1)).toBe(true);
    expect((await lineage.getJob('job-1'))?.leaseExpiresAt).toEqual(new Date(clock + LEASE_MS));
    // A renewed lease keeps a later delivery away past the first expiry.
    clock = T0 + LEASE_MS + 1;
    expect((await claimJob(b(), freshJob())).kind).toBe('busy');
  });

  it('returns false after a later attempt took the job over, and leaves its lease alone', async () => {
    await claimJob(a(), freshJob());
    clock += LEASE_MS + 1;
    await claimJob(b(), freshJob());
    const lease = (await lineage.getJob('job-1'))?.leaseExpiresAt;
    clock += 1000;
    expect(await renewLease(a(), 'job-1', 1)).toBe(false);
    expect((await lineage.getJob('job-1'))?.leaseExpiresAt).toEqual(lease);
    expect(await renewLease(b(), 'job-1', 2)).toBe(true);
  });

  it('returns false for a finished job and for an unknown one', async () => {
    await claimJob(a(), freshJob());
    await lineage.updateJob('job-1', { status: 'succeeded' });
    expect(await renewLease(a(), 'job-1', 1)).toBe(false);
    expect(await renewLease(a(), 'nope', 1)).toBe(false);
  });
});
