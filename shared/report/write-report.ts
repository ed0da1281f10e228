import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LineageStore } from '../lineage/lineage-store.js';
import { collectReport } from './collect.js';
import { renderReport } from './render-page.js';

/** The report's file name inside the results folder. */
export const REPORT_FILE = 'index.html';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  lineage: LineageStore;
  resultsDir: string;
  /** Most jobs to list (default 1000, newest first). */
  limit?: number;
  now?: () => Date;
}

/** What {@link writeReport} wrote. */
export interface WrittenReport {
  /** Absolute path of `index.html`. */
  file: string;
  jobs: number;
  /** Jobs by status. */
  counts: Record<string, number>;
}

/**
 * Writes `<resultsDir>/index.html`: a self-contained page (inline CSS, no script, no network)
 * listing every job of the lineage store with relative links to its files. Written to a
 * temporary file and renamed, so an open page is never half-written.
 * @example const { file } = await writeReport({ lineage: env.deps.lineage, resultsDir: 'results' });
 */
export async function writeReport(options: WriteReportOptions): Promise<WrittenReport> {
  const resultsDir = resolve(options.resultsDir);
  const data = await collectReport({ ...options, resultsDir });
  const file = join(resultsDir, REPORT_FILE);
  await mkdir(resultsDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, renderReport(data));
  await rename(temp, file);
  const counts: Record<string, number> = {};
  for (const { job } of data.jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
  return { file, jobs: data.jobs.length, counts };
}
