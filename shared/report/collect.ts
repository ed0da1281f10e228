import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { LineageStore } from '../lineage/lineage-store.js';
import type { AssetRecord, JobRecord, StageRecord } from '../lineage/records.js';

/** One input of a job, with its hash and the job that produced it, when another job did. */
export interface ReportInput {
  role: 'image' | 'reference' | 'request';
  /** `bucket/name`, with `#generation` when known. */
  name: string;
  sha256?: string | undefined;
  producedBy?: AssetRecord['producedBy'];
}

/** Paths relative to the results folder, of files that exist. */
export interface ReportFiles {
  /** The smallest image to show in the list (a `thumb` size, else a final output). */
  thumbnail?: string | undefined;
  finals: string[];
  compare?: string | undefined;
  /** Stage outputs by stage index. */
  stages: Record<number, string>;
  /** Other files: named sizes, manifest.json, error.json. */
  others: string[];
}

/** Everything the page shows about one job. */
export interface ReportJob {
  job: JobRecord;
  stages: StageRecord[];
  inputs: ReportInput[];
  files: ReportFiles;
  /** `error.json`, when the job wrote one. */
  errorReport?: Record<string, unknown> | undefined;
}

/** What the report is made of. */
export interface ReportData {
  generatedAt: Date;
  jobs: ReportJob[];
  /** True when there were more jobs than the limit (the newest are shown). */
  truncated: boolean;
}

/** Options of {@link collectReport}. */
export interface CollectOptions {
  lineage: LineageStore;
  /** The local results folder (the results bucket of the local runner). */
  resultsDir: string;
  /** Most jobs to show, newest first (default 1000). */
  limit?: number;
  now?: () => Date;
}

/** Most jobs a page lists by default. */
export const DEFAULT_REPORT_LIMIT = 1000;

/** The browser shows these formats; AVIF last, it is the slowest to decode. */
const DISPLAY_ORDER = ['webp', 'jpeg', 'png', 'avif'];

/**
 * Reads what the page shows: jobs (newest first), stages and input assets from the lineage
 * store, `error.json` from the results folder, and which output files exist on disk.
 */
export async function collectReport(options: CollectOptions): Promise<ReportData> {
  const limit = options.limit ?? DEFAULT_REPORT_LIMIT;
  const records = await options.lineage.listJobs({ limit: limit + 1 });
  const sorted = [...records].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
  const jobs: ReportJob[] = [];
  for (const job of sorted) jobs.push(await _collectJob(options, job));
  return { generatedAt: options.now?.() ?? new Date(), jobs, truncated: records.length > limit };
}

async function _collectJob(options: CollectOptions, job: JobRecord): Promise<ReportJob> {
  const stages = await options.lineage.listStages(job.id);
  const exists = async (name: string) =>
    stat(join(options.resultsDir, name)).then(
      (s) => s.isFile(),
      () => false,
    );
  const outputs = [];
  for (const o of job.outputs ?? [])
    if (o.bucket === job.results.bucket && (await exists(o.name))) outputs.push(o);
  const byDisplay = (a: { format: string }, b: { format: string }) => _rank(a.format) - _rank(b.format);
  const finals = outputs.filter((o) => o.role === 'final').sort(byDisplay);
  const thumbs = outputs
    .filter((o) => o.role === 'thumb' && _rank(o.format) < DISPLAY_ORDER.length)
    .sort(byDisplay);
  const stageFiles: Record<number, string> = {};
  for (const o of outputs) {
    const m = /^stage-(\d+)$/.exec(o.role);
    if (m) stageFiles[Number(m[1])] = o.name;
  }
  const others = outputs
    .filter((o) => o.role !== 'final' && o.role !== 'compare' && !o.role.startsWith('stage-'))
    .map((o) => o.name);
  const errorName = `${job.results.prefix}error.json`;
  const manifestName = `${job.results.prefix}manifest.json`;
  let errorReport: Record<string, unknown> | undefined;
  if (await exists(errorName)) {
    others.push(errorName);
    errorReport = await readFile(join(options.resultsDir, errorName), 'utf8').then(
      (t) => JSON.parse(t) as Record<string, unknown>,
      () => undefined,
    );
  }
  if (!others.includes(manifestName) && (await exists(manifestName))) others.push(manifestName);
  return {
    job,
    stages,
    inputs: await _inputs(options.lineage, job, stages),
    files: {
      thumbnail: (thumbs[0] ?? finals[0])?.name,
      finals: finals.map((o) => o.name),
      compare: outputs.find((o) => o.role === 'compare')?.name,
      stages: stageFiles,
      others,
    },
    errorReport,
  };
}

async function _inputs(lineage: LineageStore, job: JobRecord, stages: StageRecord[]): Promise<ReportInput[]> {
  const ref = (r: { bucket: string; name: string; generation: string }) =>
    `${r.bucket}/${r.name}#${r.generation}`;
  const inputs: ReportInput[] = [];
  const first = stages.find((s) => s.index === 1);
  if (job.inputs.image)
    inputs.push({ role: 'image', name: ref(job.inputs.image), sha256: first?.inputAssetId });
  // Assets are content-addressed: two files with the same bytes share one asset, whose location
  // is the first seen. A job's references are shown by the names its own request used.
  const used = _referenceNames(job, stages);
  const references = new Set(stages.flatMap((s) => s.referenceAssetIds));
  for (const id of references) {
    const asset = used.has(id) ? undefined : await lineage.getAsset(id);
    const name =
      used.get(id) ?? (asset ? `${asset.location.bucket}/${asset.location.name}` : id.slice(0, 12));
    inputs.push({ role: 'reference', name, sha256: id });
  }
  for (const input of inputs) {
    if (!input.sha256) continue;
    const asset = await lineage.getAsset(input.sha256);
    if (asset?.producedBy && asset.producedBy.jobId !== job.id) input.producedBy = asset.producedBy;
  }
  if (job.inputs.request) inputs.push({ role: 'request', name: ref(job.inputs.request) });
  return inputs;
}

function _referenceNames(job: JobRecord, stages: StageRecord[]): Map<string, string> {
  const names = new Map<string, string>();
  const request = job.inputs.request;
  const asked = (job.request?.stages ?? []) as { name?: string; references?: string[] }[];
  if (!request) return names;
  const folder = request.name.includes('/') ? request.name.slice(0, request.name.lastIndexOf('/') + 1) : '';
  for (const stage of stages) {
    const refs = asked.find((a) => a.name === stage.name)?.references ?? [];
    for (const [k, id] of stage.referenceAssetIds.entries()) {
      const ref = refs[k];
      if (ref === undefined || names.has(id)) continue;
      names.set(
        id,
        ref.startsWith('gs://')
          ? ref.slice('gs://'.length)
          : `${request.bucket}/${posix.normalize(`${folder}${ref}`)}`,
      );
    }
  }
  return names;
}

function _rank(format: string): number {
  const i = DISPLAY_ORDER.indexOf(format);
  return i === -1 ? DISPLAY_ORDER.length : i;
}
