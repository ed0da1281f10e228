import type { z } from 'zod';
import { fenceHolds } from './fence.js';
import type { LineageStore } from './lineage-store.js';
import { parseRecord } from './parse-record.js';
import {
  type AssetRecord,
  AssetRecordSchema,
  type CachedStage,
  CachedStageSchema,
  JobRecordSchema,
  type StageRecord,
  StageRecordSchema,
} from './records.js';

export const MEMORY_LINEAGE_KIND = 'memory';

/**
 * An in-memory LineageStore with the same create-only semantics as the Firestore
 * one, for unit tests. Records are deep-copied in and out, as a database would, and parsed
 * with their schema on the way out, as the Firestore store's converters do.
 */
export function createMemoryLineageStore(): LineageStore {
  // Stored as written: a patch may leave a job that its schema refuses, and reading it says so.
  const jobs = new Map<string, Record<string, unknown>>();
  const stages = new Map<string, Map<number, StageRecord>>();
  const attempts = new Set<string>();
  const assets = new Map<string, AssetRecord>();
  const cache = new Map<string, CachedStage>();

  return {
    async createJob(job, firstAttempt) {
      if (jobs.has(job.id)) return false;
      jobs.set(job.id, structuredClone(job));
      if (firstAttempt) attempts.add(`${job.id}/${firstAttempt.attempt}`);
      return true;
    },
    async getJob(jobId) {
      const job = jobs.get(jobId);
      return job && _read(JobRecordSchema, job, `jobs/${jobId}`);
    },
    async updateJob(jobId, patch) {
      const job = jobs.get(jobId);
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const merged: Record<string, unknown> = { ...(job ?? {}), ...defined };
      for (const [k, v] of Object.entries(defined)) if (v === null) delete merged[k];
      jobs.set(jobId, structuredClone(merged));
    },
    async updateJobIfCurrent(jobId, update) {
      // No await between the check and the write: atomic, as a transaction is.
      const stored = jobs.get(jobId);
      const job = stored && _read(JobRecordSchema, stored, `jobs/${jobId}`);
      if (!stored || !fenceHolds(job, update.fence)) return false;
      const key = update.newAttempt && `${jobId}/${update.newAttempt.attempt}`;
      if (key && attempts.has(key)) return false;
      if (key) attempts.add(key);
      const defined = Object.fromEntries(Object.entries(update.patch).filter(([, v]) => v !== undefined));
      const merged: Record<string, unknown> = { ...stored, ...defined };
      for (const [k, v] of Object.entries(defined)) if (v === null) delete merged[k];
      jobs.set(jobId, structuredClone(merged));
      return true;
    },
    async createAttempt(jobId, attempt) {
      const key = `${jobId}/${attempt.attempt}`;
      if (attempts.has(key)) return false;
      attempts.add(key);
      return true;
    },
    async createStage(jobId, stage) {
      const forJob = stages.get(jobId) ?? new Map<number, StageRecord>();
      stages.set(jobId, forJob);
      if (forJob.has(stage.index)) return false;
      forJob.set(stage.index, structuredClone(stage));
      return true;
    },
    async listStages(jobId) {
      return [...(stages.get(jobId)?.values() ?? [])]
        .sort((a, b) => a.index - b.index)
        .map((s) => _read(StageRecordSchema, s, `jobs/${jobId}/stages/${s.index}`));
    },
    async putAsset(asset) {
      const existing = assets.get(asset.id);
      if (!existing) {
        assets.set(asset.id, structuredClone(asset));
        return;
      }
      existing.derivedFrom = [...new Set([...existing.derivedFrom, ...asset.derivedFrom])];
    },
    async getAsset(assetId) {
      const asset = assets.get(assetId);
      return asset && _read(AssetRecordSchema, asset, `assets/${assetId}`);
    },
    async getCachedStage(key) {
      const entry = cache.get(key);
      return entry && _read(CachedStageSchema, entry, `stageCache/${key}`);
    },
    async putCachedStage(entry) {
      if (!cache.has(entry.key)) cache.set(entry.key, structuredClone(entry));
    },
    async listJobs(filter) {
      const all = [...jobs.entries()]
        .filter(([, job]) => !filter?.sourceKey || job.sourceKey === filter.sourceKey)
        .map(([id, job]) => _read(JobRecordSchema, job, `jobs/${id}`))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      return filter?.limit ? all.slice(0, filter.limit) : all;
    },
  };
}

// ── internal ──────────────────────────────────────────────────────────────

/** A copy of a stored record, parsed as the Firestore store's converters parse a document. */
function _read<S extends z.ZodType>(schema: S, stored: unknown, path: string): z.output<S> {
  return parseRecord(schema, structuredClone(stored), path);
}
