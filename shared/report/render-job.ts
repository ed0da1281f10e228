import type { StageRecord } from '../lineage/records.js';
import type { CheckResult } from '../marketplace/index.js';
import type { ReportInput, ReportJob } from './collect.js';
import { displayStatus, statusId } from './display-status.js';
import { html, relativeUrl, type SafeHtml } from './html.js';
import { renderChecks } from './render-checks.js';
import { renderProtect } from './render-protect.js';

/** The anchor id of a job's card, for lineage links within the page. */
export function jobAnchor(jobId: string): string {
  return `job-${jobId}`;
}

/**
 * One job's card: status, thumbnail and before/after sheet, error, stages (prompts, seed,
 * engine/model, warnings, cost), inputs with hashes and the jobs behind them, and files.
 * @param known ids of the jobs on the page (lineage links to others are plain text)
 */
export function renderJob(entry: ReportJob, known: ReadonlySet<string>): SafeHtml {
  const { job, files } = entry;
  const source = job.inputs.image?.name ?? job.inputs.request?.name ?? job.sourceKey;
  const labels = Object.entries(job.labels ?? {});
  return html`<article class="job" id="${jobAnchor(job.id)}" data-status="${statusId(displayStatus(job))}">
<header class="job-head">
  <span class="status status-${statusId(displayStatus(job))}">${displayStatus(job)}</span>
  <h2 class="source">${source}</h2>
  <span class="meta">job <code class="job-id">${job.id}</code> · ${formatTime(job.createdAt)}${
    job.attempt > 1 ? ` · attempt ${job.attempt}` : ''
  }${job.engine ? html` · ${job.engine}${job.model ? `/${job.model}` : ''}` : ''} · cost <span class="cost">${formatCost(job.costUsd)}</span>${job.savings?.savedUsd ? ` (saved ${formatCost(job.savings.savedUsd)})` : ''}${job.lane === 'batch' ? ` · batch lane${job.savings?.batchSavedUsd ? `, ${formatCost(job.savings.batchSavedUsd)} below the interactive price` : ''}` : ''}</span>
  ${labels.length ? html`<ul class="labels">${labels.map(([k, v]) => html`<li><b>${k}</b>=${v}</li>`)}</ul>` : ''}
</header>
${renderMedia(entry, source)}
${job.error && job.status !== 'succeeded' ? renderError(entry) : ''}
${entry.stages.length ? renderStages(entry.stages, files.stages, known) : ''}
${job.warnings.length ? html`<ul class="warnings">${job.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${_checksOf(entry)?.length ? renderChecks(_checksOf(entry) ?? []) : ''}
<section class="lineage"><h3>Lineage</h3><ul>
  ${entry.inputs.map((input) => renderInput(input, known))}
  ${job.previousJobId ? html`<li>revises ${jobLink(job.previousJobId, known)}</li>` : ''}
</ul></section>
<p class="files">${[...files.finals, ...files.others].map((f) => html`<a href="${relativeUrl(f)}">${f.slice(job.results.prefix.length)}</a> `)}</p>
</article>`;
}

function renderMedia(entry: ReportJob, source: string): SafeHtml {
  const { files, job } = entry;
  if (!files.thumbnail && !files.compare) {
    if (job.status === 'waiting-batch') {
      return html`<div class="media"><div class="thumb none">waiting for a batch job…</div></div>`;
    }
    return job.status === 'running'
      ? html`<div class="media"><div class="thumb none">running…</div></div>`
      : html``;
  }
  const final = files.finals[0] ?? files.thumbnail;
  return html`<div class="media">${
    files.thumbnail && final
      ? html`<a class="thumb" href="${relativeUrl(final)}"><img src="${relativeUrl(files.thumbnail)}" alt="final output of ${source}" loading="lazy"></a>`
      : ''
  }${
    files.compare
      ? html`<a class="compare" href="${relativeUrl(files.compare)}"><img src="${relativeUrl(files.compare)}" alt="before/after sheet of ${source}" loading="lazy"></a>`
      : ''
  }</div>`;
}

function renderError(entry: ReportJob): SafeHtml {
  const error = entry.job.error;
  if (!error) return html``;
  const details = entry.errorReport?.details;
  return html`<div class="error" role="alert"><code class="error-code">${error.code}</code> <span class="error-message">${error.message}</span>${
    error.stage !== undefined ? html` <span class="error-stage">(stage ${error.stage})</span>` : ''
  }${details ? html`<details><summary>details</summary><pre>${JSON.stringify(details, null, 2)}</pre></details>` : ''}</div>`;
}

function renderStages(
  stages: StageRecord[],
  outputs: Record<number, string>,
  known: ReadonlySet<string>,
): SafeHtml {
  return html`<table class="stages"><thead><tr><th>#</th><th>stage</th><th>prompt</th><th>seed</th><th>engine / model</th><th>cost</th><th>output</th></tr></thead><tbody>
${stages.map((s) => {
  const out = outputs[s.index];
  return html`<tr class="stage">
<td>${s.index}</td><td>${s.name}</td>
<td class="prompt"><div class="raw">${s.rawPrompt}</div>${
    _differs(s.prompt, s.rawPrompt) ? html`<div class="effective"><span>sent:</span> ${s.prompt}</div>` : ''
  }${s.reusedFrom ? html`<div class="note reused">reused (${s.reusedFrom.via}) from ${jobLink(s.reusedFrom.jobId, known)} stage ${s.reusedFrom.stage}${s.reusedFrom.savedUsd ? `, saved ${formatCost(s.reusedFrom.savedUsd)}` : ''}</div>` : ''}${renderProtect(s)}${s.warnings.length ? html`<ul class="warnings">${s.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}</td>
<td class="seed">${s.seed}${s.variants && s.variants.length > 1 ? html`<div class="note">variant ${s.chosenVariant ?? 1} of ${s.variants.length}</div>` : ''}</td><td>${s.engine}/${s.model}</td><td>${formatCost(s.costUsd)}</td>
<td>${out ? html`<a href="${relativeUrl(out)}"><img class="stage-thumb" src="${relativeUrl(out)}" alt="output of stage ${s.index}" loading="lazy"></a>` : `${s.width}×${s.height}`}</td>
</tr>`;
})}
</tbody></table>`;
}

function renderInput(input: ReportInput, known: ReadonlySet<string>): SafeHtml {
  const made = input.producedBy
    ? html` — ${input.producedBy.role} output of ${jobLink(input.producedBy.jobId, known)}`
    : '';
  return html`<li class="input"><span class="role">${input.role}</span> ${input.name}${
    input.sha256
      ? html` <code class="sha" title="${input.sha256}">sha256 ${input.sha256.slice(0, 16)}…</code>`
      : ''
  }${made}</li>`;
}

function jobLink(jobId: string, known: ReadonlySet<string>): SafeHtml {
  return known.has(jobId)
    ? html`<a class="job-link" href="#${jobAnchor(jobId)}">job ${jobId}</a>`
    : html`job <code>${jobId}</code>`;
}

/** The effective prompt says more than the raw one (not just a final full stop). */
function _differs(effective: string, raw: string): boolean {
  const bare = (t: string) => t.trim().replace(/[.;,\s]+$/, '');
  return bare(effective) !== bare(raw);
}

/** `2026-05-01 12:00:03 UTC` */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `$0.0675`, `$0` or `–`. */
export function formatCost(usd: number | undefined): string {
  if (usd === undefined) return '–';
  if (usd === 0) return '$0';
  return `$${usd.toFixed(usd < 0.01 ? 6 : 4).replace(/0+$/, '')}`;
}

/** A job's checks: from its record when it succeeded, from its error report when a check failed it. */
function _checksOf(entry: ReportJob): CheckResult[] | undefined {
  const fromError = (entry.errorReport?.details as { checks?: unknown } | undefined)?.checks;
  return entry.job.checks ?? (Array.isArray(fromError) ? (fromError as CheckResult[]) : undefined);
}
