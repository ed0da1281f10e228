import { type CheckResult, checkedFileName } from '../marketplace/index.js';
import { html, type SafeHtml } from './html.js';

/**
 * The checks of a job's main output: check, file, measured value, limit and verdict, failed
 * ones first. Used for succeeded jobs (from the job record) and failed ones (from error.json).
 */
export function renderChecks(checks: readonly CheckResult[]): SafeHtml {
  const ordered = [...checks].sort((a, b) => Number(a.verdict === 'pass') - Number(b.verdict === 'pass'));
  return html`<section class="checks"><h3>Checks</h3><table><thead><tr><th>check</th><th>file</th><th>measured</th><th>limit</th><th>verdict</th></tr></thead><tbody>${ordered.map(
    (c) =>
      html`<tr class="check-${c.verdict}"><td>${c.check}${c.preset ? html` <small>${c.preset}</small>` : ''}</td><td>${checkedFileName(c)}</td><td>${String(c.measured)}</td><td>${c.limit}</td><td>${c.verdict === 'pass' ? 'pass' : c.severity === 'error' ? 'FAIL' : 'warn'}</td></tr>`,
  )}</tbody></table></section>`;
}

/** CSS of the checks table (appended to the page's styles). */
export const CHECKS_CSS = `
.checks table { border-collapse: collapse; font-size: 12.5px; margin-top: 4px; }
.checks th, .checks td { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; }
.checks .check-fail td:last-child { color: var(--bad); font-weight: 600; }
.checks .check-pass td:last-child { color: var(--ok); }
`;
