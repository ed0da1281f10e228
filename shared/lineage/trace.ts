import { isAbsolute, join, relative } from 'node:path';
import type { LineageStore } from './lineage-store.js';
import type { JobRecord, StageRecord } from './records.js';

/** One job in a lineage trace, with the jobs that produced its inputs. */
export interface TraceNode {
  job: JobRecord;
  stages: StageRecord[];
  /** Jobs that produced this job's input assets (when an output was fed back in). */
  parents: TraceNode[];
  /** Earlier jobs on the same image this one revises, newest first. */
  history: JobRecord[];
}

/**
 * Walks the lineage behind a job: its stages, and, recursively, the jobs that produced
 * its input assets. Bounded in depth so that a cycle cannot loop.
 */
export async function traceJob(
  lineage: LineageStore,
  jobId: string,
  depth = 0,
): Promise<TraceNode | undefined> {
  const job = await lineage.getJob(jobId);
  if (!job) return undefined;
  const stages = await lineage.listStages(jobId);
  const parents: TraceNode[] = [];
  if (depth < 10) {
    const inputAssets = new Set(
      stages.flatMap((s) => (s.index === 1 ? [s.inputAssetId, ...s.referenceAssetIds] : s.referenceAssetIds)),
    );
    const parentJobs = new Set<string>();
    for (const id of inputAssets) {
      const asset = await lineage.getAsset(id);
      if (asset?.producedBy && asset.producedBy.jobId !== jobId) parentJobs.add(asset.producedBy.jobId);
    }
    for (const parent of parentJobs) {
      const node = await traceJob(lineage, parent, depth + 1);
      if (node) parents.push(node);
    }
  }
  const history: JobRecord[] = [];
  for (let id = job.previousJobId; id && history.length < 20; ) {
    const previous = await lineage.getJob(id);
    if (!previous) break;
    history.push(previous);
    id = previous.previousJobId;
  }
  return { job, stages, parents, history };
}

/** Options of {@link renderTrace}. */
export interface RenderTraceOptions {
  /** Where the results bucket lives on disk: its objects are printed as real paths there. */
  results?: { bucket: string; dir: string };
}

/**
 * Renders a trace as indented text for the terminal.
 * @param options.results with it, result files are printed as paths in that folder, not `bucket/name`
 */
export function renderTrace(node: TraceNode, indent = '', options: RenderTraceOptions = {}): string {
  const { job } = node;
  const where = (loc: { bucket: string; name: string }) =>
    _where(loc, options) ?? `${loc.bucket}/${loc.name}`;
  const whereStage = (loc: { bucket: string; name: string }) => _where(loc, options) ?? loc.name;
  const lines = [
    // A job that succeeded after a retry keeps its last error as history; it is not its state.
    `${indent}job ${job.id}  ${job.status}${job.error && job.status !== 'succeeded' ? `  ${job.error.code}: ${job.error.message}` : ''}`,
    `${indent}  image    ${fmtRef(job.inputs.image)}`,
    `${indent}  request  ${fmtRef(job.inputs.request)} (${job.inputs.requestKind ?? 'sidecar'})`,
  ];
  for (const [i, previous] of node.history.entries()) {
    lines.push(
      `${indent}  ${i === 0 ? 'revises ' : '         '} job ${previous.id} (${previous.status}, ${previous.createdAt.toISOString()})`,
    );
  }
  if (Object.keys(job.labels ?? {}).length > 0) {
    lines.push(
      `${indent}  labels   ${Object.entries(job.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  }
  for (const s of node.stages) {
    lines.push(
      `${indent}  stage ${s.index} ${s.name}: ${s.engine}/${s.model} seed=${s.seed}${s.seedSource && s.seedSource !== 'request' ? ` (${s.seedSource})` : ''}${s.costUsd ? ` cost=$${s.costUsd.toFixed(4)}` : ''}`,
    );
    lines.push(`${indent}    prompt  ${s.prompt}`);
    lines.push(
      `${indent}    input   ${s.inputAssetId.slice(0, 12)}${s.referenceAssetIds.length ? ` + refs ${s.referenceAssetIds.map((r) => r.slice(0, 12)).join(', ')}` : ''}`,
    );
    lines.push(`${indent}    output  ${s.outputAssetId.slice(0, 12)}  ${whereStage(s.output)}`);
    if (s.reusedFrom) {
      lines.push(
        `${indent}    reused  ${s.reusedFrom.via} from job ${s.reusedFrom.jobId} stage ${s.reusedFrom.stage}${s.reusedFrom.variant ? ` variant ${s.reusedFrom.variant}` : ''}`,
      );
    }
    for (const v of s.variants ?? []) {
      lines.push(
        `${indent}    variant ${v.variant}${v.variant === (s.chosenVariant ?? 1) ? ' (chosen)' : ''} seed=${v.seed} ${v.outputAssetId.slice(0, 12)}  ${whereStage(v.output)}`,
      );
    }
    for (const w of s.warnings) lines.push(`${indent}    warning ${w}`);
  }
  for (const out of job.outputs ?? []) {
    if (!out.role.startsWith('stage-')) lines.push(`${indent}  output   ${out.role.padEnd(8)} ${where(out)}`);
  }
  for (const parent of node.parents) {
    lines.push(`${indent}  input made by:`);
    lines.push(renderTrace(parent, `${indent}    `, options));
  }
  return lines.join('\n');
}

function _where(loc: { bucket: string; name: string }, options: RenderTraceOptions): string | undefined {
  if (!options.results || loc.bucket !== options.results.bucket) return undefined;
  const path = join(options.results.dir, loc.name);
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function fmtRef(ref?: { bucket: string; name: string; generation: string }): string {
  return ref ? `${ref.bucket}/${ref.name}#${ref.generation}` : '-';
}
