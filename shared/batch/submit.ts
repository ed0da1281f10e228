import { createHash } from 'node:crypto';
import type { PreparedBatchRequest } from '../engines/engine.js';
import { nowOf } from '../pipeline/deps.js';
import { BatchCreateRejected, type BatchSource } from './batch-client.js';
import type { BatchDeps } from './batch-deps.js';
import type { BatchMember, BatchRecord } from './records.js';
import { resumeBatchJob } from './resume.js';

/**
 * Inline batch requests must stay under 20 MB in total (shared/reference/gemini-batch.md); the
 * margin covers the request envelope and the JSON of the keys.
 */
export const INLINE_BATCH_MAX_BYTES = 19 * 1024 * 1024;

export type { BatchDeps } from './batch-deps.js';

/**
 * An input file may be at most 2 GB (shared/reference/gemini-batch.md); the margin covers the
 * JSONL keys and the REST spelling of each request.
 */
export const FILE_BATCH_MAX_BYTES = 1900 * 1024 * 1024;

/** What one collector run did. */
export interface SubmitReport {
  /** Batch ids that were created (or found after a lost answer) in this run. */
  submitted: string[];
  /** `submitting` records whose job was found by its display name instead of created again. */
  recovered: string[];
  /** Members still waiting (too few, not old enough) by model. */
  waiting: Record<string, number>;
  /** Batches left `submitting` because the create's outcome is unknown (retried on the next run). */
  unknown: { id: string; error: string }[];
}

/**
 * One collector run ("never twice"):
 * 1. every `submitting` record is finished first: its memberships claimed, then its job found by
 *    display name, and only when none exists, created;
 * 2. the waiting stages of each model (those whose job is parked, see {@link parkedMembers}) are
 *    grouped, when enough wait or the oldest has waited long enough (`force` ignores both), into
 *    one batch: inline while their requests stay under the inline limit, otherwise one JSONL file
 *    through the Files API (several only past the 2 GB a file may hold). Each batch is recorded
 *    create-only (state `submitting`) before it is created with `displayName` = its id; a file
 *    batch uploads its file under a name derived from that id first, and records it.
 * @param options.force submit whatever waits, ignoring BATCH_MIN_REQUESTS and BATCH_MAX_WAIT_SECONDS
 */
export async function submitBatches(
  deps: BatchDeps,
  options: { force?: boolean } = {},
): Promise<SubmitReport> {
  const report: SubmitReport = { submitted: [], recovered: [], waiting: {}, unknown: [] };
  for (const pending of await deps.batches.listBatches({ states: ['submitting'] })) {
    await _finishSubmit(deps, pending, report);
  }
  const waiting = await parkedMembers(deps, await deps.batches.listMembers({ state: 'waiting' }));
  const byModel = new Map<string, BatchMember[]>();
  for (const m of waiting) byModel.set(m.model, [...(byModel.get(m.model) ?? []), m]);
  const now = nowOf(deps);
  const { minRequests, maxWaitMs } = deps.config.batch;
  for (const [model, members] of byModel) {
    const oldest = members[0] as BatchMember;
    const due =
      options.force || members.length >= minRequests || now - oldest.waitingSince.getTime() >= maxWaitMs;
    if (!due) {
      report.waiting[model] = members.length;
      continue;
    }
    for (const { kind, chunk } of _chunks(members)) {
      const bytes = chunk.reduce((sum, m) => sum + m.bytes, 0);
      const record: BatchRecord = {
        id: batchIdFor(model, chunk),
        model,
        state: 'submitting',
        keys: chunk.map((m) => m.key),
        rounds: Object.fromEntries(chunk.map((m) => [m.key, m.round])),
        input: { kind, bytes },
        createdAt: new Date(now),
        updatedAt: new Date(now),
      };
      // Create-only: a concurrent collector with the same members records the same id, and only
      // one record exists; whichever finishes it, step 1's rules keep it to one job.
      await deps.batches.createBatch(record);
      const stored = (await deps.batches.getBatch(record.id)) as BatchRecord;
      if (stored.state === 'submitting') await _finishSubmit(deps, stored, report);
    }
  }
  return report;
}

/**
 * The id (and display name) of a batch: a hash of its model and members (with their rounds), so
 * the same members always name the same batch.
 */
export function batchIdFor(model: string, members: Pick<BatchMember, 'key' | 'round'>[]): string {
  const keys = members.map((m) => `${m.key}.r${m.round}`).sort();
  return `darkroom-${createHash('sha256')
    .update(`${model}\n${keys.join('\n')}`)
    .digest('hex')
    .slice(0, 24)}`;
}

/**
 * The waiting members whose job is parked for them. A stage is recorded as waiting before its job
 * is parked (lane.ts, then park.ts); a member whose job is not parked yet is left for the next
 * run. Submitted earlier, its batch could finish between the two writes, and the poller would
 * find the job still running, leave it, and the job would then park with its answers in and
 * nobody left to resume it. A job that crashed between the writes is retried by the platform,
 * finds its member waiting and parks then.
 * @param members waiting members
 * @returns those the collector may submit
 */
export async function parkedMembers(deps: BatchDeps, members: BatchMember[]): Promise<BatchMember[]> {
  const jobs = new Map<string, Set<string> | undefined>();
  for (const m of members) {
    if (jobs.has(m.jobId)) continue;
    const job = await deps.lineage.getJob(m.jobId);
    jobs.set(m.jobId, job?.status === 'waiting-batch' ? new Set(job.waitingBatch ?? []) : undefined);
  }
  return members.filter((m) => jobs.get(m.jobId)?.has(m.key));
}

// ── internal ──────────────────────────────────────────────────────────────

async function _finishSubmit(deps: BatchDeps, batch: BatchRecord, report: SubmitReport): Promise<void> {
  const now = () => new Date(nowOf(deps));
  // Create-only memberships: a stage already in another live batch this round is left out.
  const keys: string[] = [];
  for (const key of batch.keys) {
    const round = batch.rounds[key] ?? 0;
    const held = await deps.batches.claimMembership({ key, round, batchId: batch.id, createdAt: now() });
    if (held.batchId === batch.id) keys.push(key);
  }
  if (keys.length !== batch.keys.length) await deps.batches.updateBatch(batch.id, { keys, updatedAt: now() });
  let name = batch.name ?? (await deps.batchClient.findByDisplayName(batch.id));
  if (name && !batch.name) report.recovered.push(batch.id);
  if (!name && keys.length > 0) {
    try {
      const requests = await _requests(deps, keys);
      let source: BatchSource = { requests };
      if (batch.input?.kind === 'file') {
        // Named after the batch: a rerun after a lost upload answer finds the file, never a second.
        const fileName = await deps.batchClient.uploadRequests({ name: inputFileName(batch.id), requests });
        if (batch.input.fileName !== fileName) {
          await deps.batches.updateBatch(batch.id, { input: { ...batch.input, fileName }, updatedAt: now() });
        }
        source = { fileName };
      }
      name = await deps.batchClient.create({ model: batch.model, displayName: batch.id, ...source });
    } catch (err) {
      if (err instanceof BatchCreateRejected) return _rejected(deps, { ...batch, keys }, err);
      report.unknown.push({ id: batch.id, error: err instanceof Error ? err.message : String(err) });
      deps.log.warn('batch create had no answer; the next run looks for it by display name', {
        id: batch.id,
      });
      return;
    }
  }
  if (!name) {
    await deps.batches.updateBatch(batch.id, { state: 'cancelled', updatedAt: now(), finishedAt: now() });
    return;
  }
  await deps.batches.updateBatch(batch.id, { name, state: 'submitted', updatedAt: now() });
  for (const key of keys) {
    await deps.batches.updateMember(key, { state: 'submitted', batchId: batch.id, updatedAt: now() });
  }
  report.submitted.push(batch.id);
  deps.log.info('batch submitted', { id: batch.id, name, model: batch.model, requests: keys.length });
}

async function _requests(deps: BatchDeps, keys: string[]) {
  const out: { key: string; request: Record<string, unknown> }[] = [];
  for (const key of keys) {
    const member = (await deps.batches.getMember(key)) as BatchMember;
    const prepared = JSON.parse(
      (await deps.store.read(member.request)).toString('utf8'),
    ) as PreparedBatchRequest;
    out.push({ key, request: prepared.request });
  }
  return out;
}

/** A refused create made nothing: its members fail (their jobs resume to fail), the record is closed. */
async function _rejected(deps: BatchDeps, batch: BatchRecord, err: BatchCreateRejected): Promise<void> {
  const now = new Date(nowOf(deps));
  const error = {
    code: 'BATCH_REQUEST_FAILED',
    message: `the batch service refused the batch (${err.status}): ${err.message}`,
  };
  for (const key of batch.keys)
    await deps.batches.updateMember(key, { state: 'failed', batchId: batch.id, error, updatedAt: now });
  await deps.batches.updateBatch(batch.id, { state: 'failed', updatedAt: now, finishedAt: now });
  deps.log.warn('batch refused by the service', { id: batch.id, status: err.status, message: err.message });
  const jobs = new Set<string>();
  for (const key of batch.keys) jobs.add(((await deps.batches.getMember(key)) as BatchMember).jobId);
  for (const jobId of jobs) await resumeBatchJob(deps, jobId);
}

/** @returns the input file of a file batch: `files/` and the batch id (40 characters at most) */
export function inputFileName(batchId: string): string {
  return `files/${batchId}`;
}

/**
 * One inline batch when the members' requests fit the inline limit; otherwise file batches, one
 * unless they exceed what a file may hold (members oldest first, split in that order).
 */
function _chunks(members: BatchMember[]): { kind: 'inline' | 'file'; chunk: BatchMember[] }[] {
  const total = members.reduce((sum, m) => sum + m.bytes, 0);
  if (total <= INLINE_BATCH_MAX_BYTES) return [{ kind: 'inline', chunk: members }];
  const chunks: { kind: 'file'; chunk: BatchMember[] }[] = [];
  let current: BatchMember[] = [];
  let bytes = 0;
  for (const m of members) {
    if (current.length > 0 && bytes + m.bytes > FILE_BATCH_MAX_BYTES) {
      chunks.push({ kind: 'file', chunk: current });
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.bytes;
  }
  if (current.length > 0) chunks.push({ kind: 'file', chunk: current });
  return chunks;
}
