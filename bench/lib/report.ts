import { writeFile } from 'node:fs/promises';
import { round } from './stats.js';

/** One line of the results table. */
export interface BenchRow {
  /** Measurement number and name, e.g. `1 overhead`. */
  measure: string;
  /** What the number is, e.g. `pipeline job (median of 5)`. */
  metric: string;
  value: number;
  unit: string;
  /** The same-run baseline the value is compared with. */
  baseline?: { label: string; value: number; unit: string } | undefined;
  ratio?: number | undefined;
  /** e.g. `≤ 1.3×`. */
  target?: string | undefined;
  pass?: boolean | undefined;
  /** Anything needed to read the number (what was sent, what was scaled). */
  note?: string | undefined;
}

/** Everything a run produced, as written to `bench/results.json`. */
export interface BenchReport {
  startedAt: string;
  durationS: number;
  machine: Record<string, string | number>;
  rows: BenchRow[];
  /** Per-measurement raw samples and breakdowns. */
  details: Record<string, unknown>;
}

/** Formats the rows as a Markdown table (it reads fine in a terminal too). */
export function formatTable(rows: BenchRow[]): string {
  const header = ['measure', 'metric', 'value', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((r) => [
    r.measure,
    r.metric,
    `${round(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.label}: ${round(r.baseline.value)} ${r.baseline.unit}` : '—',
    r.ratio === undefined ? '—' : `${round(r.ratio)}×`,
    r.target ?? '—',
    r.pass === undefined ? 'info' : r.pass ? 'pass' : 'MISS',
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** Writes the report as JSON. */
export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
