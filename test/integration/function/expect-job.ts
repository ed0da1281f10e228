/**
 * Assertions on what one job left behind: its files in the results bucket, their metadata and
 * content types, the manifest (written last), `error.json`, and the Firestore job document.
 */
import { expect } from 'vitest';
import type { JobRecord } from '../../../shared/lineage/records.js';
import type { FunctionHarness, StoredFile, StoredRef } from './harness.js';

/** What a finished job left. */
export interface FinishedJob {
  jobId: string;
  files: Map<string, StoredFile>;
  record: JobRecord;
}

/**
 * Expects exactly one job under `results/<stem>/`, succeeded, with a manifest written last that
 * names `source`, outputs marked as outputs of the job, and a final Firestore status.
 * @returns the job and its parsed manifest
 */
export async function expectSucceededJob(
  h: FunctionHarness,
  stem: string,
  source: StoredRef,
): Promise<FinishedJob & { manifest: Record<string, unknown> }> {
  const jobs = h.jobsOf(stem);
  expect(jobs.map((j) => j.jobId)).toHaveLength(1);
  const { jobId, files } = jobs[0] as (typeof jobs)[number];
  const manifestFile = files.get('manifest.json');
  expect(manifestFile, 'manifest.json').toBeDefined();
  const manifest = JSON.parse(String(manifestFile?.data)) as Record<string, unknown>;
  expect(manifest).toMatchObject({
    jobId,
    status: 'succeeded',
    inputs: { image: { bucket: source.bucket, name: source.name, generation: source.generation } },
  });
  expect(manifestFile?.contentType).toBe('application/json');
  // Written last: every other file of the job has an earlier generation (the server's are increasing).
  for (const [name, file] of files) {
    if (name === 'manifest.json') continue;
    expect(BigInt(file.generation), `${name} before manifest.json`).toBeLessThan(
      BigInt(manifestFile?.generation ?? '0'),
    );
  }
  for (const [name, file] of files) {
    expect(file.metadata, name).toMatchObject({
      'darkroom-output': 'true',
      'darkroom-job': jobId,
      'darkroom-source': `${source.bucket}/${source.name}#${source.generation}`,
    });
  }
  const record = await h.job(jobId);
  expect(record?.status).toBe('succeeded');
  return { jobId, files, record: record as JobRecord, manifest };
}

/**
 * Expects exactly one failed job under `results/<stem>/` whose only file is `error.json` with `code`,
 * linked to `source` by its metadata.
 * @returns the job and the parsed report
 */
export async function expectFailedJob(
  h: FunctionHarness,
  stem: string,
  code: string,
  source: StoredRef,
): Promise<FinishedJob & { report: Record<string, unknown> }> {
  const jobs = h.jobsOf(stem);
  expect(jobs).toHaveLength(1);
  const { jobId, files } = jobs[0] as (typeof jobs)[number];
  expect([...files.keys()]).toEqual(['error.json']);
  const file = files.get('error.json') as StoredFile;
  expect(file.contentType).toBe('application/json');
  expect(file.metadata).toMatchObject({
    'darkroom-output': 'true',
    'darkroom-job': jobId,
    'darkroom-role': 'error',
    'darkroom-source': `${source.bucket}/${source.name}#${source.generation}`,
  });
  const report = JSON.parse(String(file.data)) as Record<string, unknown>;
  expect(report).toMatchObject({
    jobId,
    status: 'failed',
    code,
    source: { bucket: source.bucket, name: source.name, generation: source.generation },
  });
  const record = await h.job(jobId);
  expect(record?.status).toBe('failed');
  expect(record?.error?.code).toBe(code);
  return { jobId, files, record: record as JobRecord, report };
}
