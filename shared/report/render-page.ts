import type { ReportData } from './collect.js';
import { DISPLAY_STATUSES, displayStatus, statusId } from './display-status.js';
import { html, trusted } from './html.js';
import { CHECKS_CSS } from './render-checks.js';
import { formatCost, formatTime, renderJob } from './render-job.js';
import { REPORT_CSS } from './styles.js';

/**
 * Everything the page may load: its own inline CSS and images beside it (relative links, or
 * `data:`). No script, no fonts, nothing from the network.
 */
export const REPORT_CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'";

/** Statuses in the order a reader cares about. */
const FILTER_ORDER = DISPLAY_STATUSES;

/**
 * Renders the whole report as one self-contained HTML document.
 * @param data from {@link collectReport}
 * @returns the HTML text
 */
export function renderReport(data: ReportData): string {
  const counts = Object.fromEntries(
    DISPLAY_STATUSES.map((s) => [s, data.jobs.filter((j) => displayStatus(j.job) === s).length]),
  );
  const cost = data.jobs.reduce((sum, j) => sum + (j.job.costUsd ?? 0), 0);
  const known = new Set(data.jobs.map((j) => j.job.id));
  const summary = `${data.jobs.length} job${data.jobs.length === 1 ? '' : 's'}${data.truncated ? ' (the newest)' : ''}: ${FILTER_ORDER.map((s) => `${counts[s]} ${s}`).join(', ')} · cost ${formatCost(cost)} · generated ${formatTime(data.generatedAt)}`;
  const filter = (id: string, label: string, checked = false) =>
    html`<input type="radio" name="status" id="filter-${id}"${trusted(checked ? ' checked' : '')}><label for="filter-${id}">${label}</label>`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="generator" content="Darkroom">
<title>Darkroom results</title>
<link rel="icon" href="data:,">
<style>${trusted(REPORT_CSS + CHECKS_CSS)}</style>
</head>
<body>
<header>
<h1>Darkroom results</h1>
<p class="summary">${summary}</p>
<nav class="filters" aria-label="Filter by status">
${filter('all', `all (${data.jobs.length})`, true)}
${FILTER_ORDER.map((s) => filter(statusId(s), `${s} (${counts[s]})`))}
</nav>
</header>
<main>
${data.jobs.length === 0 ? html`<p class="empty">No jobs yet. Run <code>darkroom run &lt;dropDir&gt;</code> first.</p>` : ''}
${data.jobs.map((j) => renderJob(j, known))}
</main>
</body>
</html>
`;
  return page.value;
}
