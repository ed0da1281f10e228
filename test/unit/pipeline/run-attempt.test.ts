import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { PermanentError } from '../../../shared/errors.js';
import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import { silentLogger } from '../../../shared/log.js';
import { claimJob, jobIdFor, jobPrefix, type PipelineDeps } from '../../../shared/pipeline/index.js';
import { runAttempt } from '../../../shared/pipeline/run-attempt.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import type { ObjectInfo } from '../../../shared/storage/object-store.js';

const LEASE_MS = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

let dir: string;
let clock: number;
let deps: PipelineDeps;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-attempt-'));
  clock = T0;
  deps = {
    config: loadConfig({ LEASE_SECONDS: String(LEASE_MS / 1000), MAX_ATTEMPTS: '3' }),
    store: createFsObjectStore({ buckets: { results: dir } }),
    lineage: createMemoryLineageStore(),
    engines: new Map(),
    log: silentLogger,
    owner: 'process-a',
    results: { bucket: 'results', prefix: '' },
    now: () => clock,
  };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runAttempt', () => {
  it('counts only the attempts that count against MAX_ATTEMPTS in the ATTEMPTS_EXHAUSTED message', async () => {
    const request: ObjectInfo = { bucket: 'drop', name: 'p.json', generation: '2', size: 2, metadata: {} };
    const ref = { bucket: 'drop', name: 'p.json', generation: '2' };
    const id = jobIdFor({ request: ref });
    const now = new Date(T0);
    const fresh = {
      id,
      status: 'running' as const,
      inputs: { request: ref, requestKind: 'sidecar' as const },
      sourceKey: 'drop/p.json',
      results: { bucket: 'results', prefix: jobPrefix('', 'p.json', id) },
      labels: {},
      attempt: 1,
      owner: 'nobody',
      leaseExpiresAt: now,
      createdAt: now,
      updatedAt: now,
      warnings: [],
    };
    await claimJob(deps, fresh);
    // Six attempts, of which three were hand-offs to a queue: three counted, the limit.
    await deps.lineage.updateJob(id, { attempt: 6, freeAttempts: 3 });
    clock += 2 * LEASE_MS;
    const outcome = await runAttempt(
      deps,
      silentLogger,
      { request, parsed: { kind: 'invalid', error: new PermanentError('REQUEST_INVALID', 'unused') } },
      {},
    );
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: 'ATTEMPTS_EXHAUSTED' } });
    const message = (outcome as { error: { message: string } }).error.message;
    expect(message).toContain('3 times (MAX_ATTEMPTS=3)');
  });
});
