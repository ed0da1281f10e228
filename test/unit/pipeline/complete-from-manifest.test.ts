import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { silentLogger } from '../../../shared/log.js';
import type { CheckResult } from '../../../shared/marketplace/check-schema.js';
import { completeFromManifest } from '../../../shared/pipeline/complete-from-manifest.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const PREFIX = 'p/job-1/';

let dir: string;
let deps: PipelineDeps;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'complete-'));
  deps = {
    config: loadConfig({}),
    store: createFsObjectStore({ buckets: { results: dir } }),
    lineage: createMemoryLineageStore(),
    engines: new Map(),
    log: silentLogger,
    owner: 'process-a',
    results: { bucket: 'results', prefix: '' },
    now: () => T0,
  };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runningJob(): JobRecord {
  return {
    id: 'job-1',
    status: 'running',
    inputs: { request: { bucket: 'drop', name: 'p.json', generation: '2' }, requestKind: 'sidecar' },
    sourceKey: 'drop/p.json',
    results: { bucket: 'results', prefix: PREFIX },
    labels: {},
    attempt: 2,
    owner: 'process-a',
    leaseExpiresAt: new Date(T0 + 60_000),
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    warnings: [],
  };
}

describe('completeFromManifest', () => {
  it('keeps the check results of the manifest on the job, as a finalize that marks the job does', async () => {
    const checks: CheckResult[] = [
      {
        check: 'min-side',
        role: 'final',
        format: 'jpeg',
        measured: 2000,
        limit: 'longest side ≥ 1000 px',
        verdict: 'pass',
        severity: 'error',
        preset: 'amazon-main',
      },
    ];
    const manifest = {
      status: 'succeeded',
      outputs: [{ bucket: 'results', name: `${PREFIX}final.jpg`, role: 'final', format: 'jpeg', bytes: 10 }],
      warnings: [],
      timings: {},
      costUsd: 0,
      checks,
    };
    await deps.lineage.createJob(runningJob());
    await deps.store.create(
      { bucket: 'results', name: `${PREFIX}manifest.json` },
      Buffer.from(JSON.stringify(manifest)),
      {
        contentType: 'application/json',
      },
    );
    const outputs = await completeFromManifest(deps, { jobId: 'job-1', prefix: PREFIX });
    expect(outputs?.map((o) => o.role)).toEqual(['final', 'manifest']);
    const job = await deps.lineage.getJob('job-1');
    expect(job?.status).toBe('succeeded');
    expect(job?.checks).toEqual(checks);
  });
});
