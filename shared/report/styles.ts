import { DISPLAY_STATUSES, statusId } from './display-status.js';

/**
 * The page's inline CSS. Status filters are radio buttons and `:has()`, so the page needs
 * no script at all.
 */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #f6f6f4; --card: #fff; --ink: #1d1d1f; --muted: #6b6b70; --line: #e2e2e0;
  --ok: #1f7a3a; --bad: #b3261e; --run: #8a5a00; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #161618; --card: #212124; --ink: #ececef; --muted: #a0a0a8; --line: #34343a; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
body > header { padding: 18px 24px 8px; }
h1 { margin: 0 0 4px; font-size: 22px; }
.summary { color: var(--muted); margin: 0 0 10px; }
.filters { display: flex; gap: 6px; flex-wrap: wrap; }
.filters input { position: absolute; opacity: 0; }
.filters label { border: 1px solid var(--line); border-radius: 999px; padding: 3px 12px; cursor: pointer; background: var(--card); }
.filters input:checked + label { border-color: var(--ink); font-weight: 600; }
.filters input:focus-visible + label { outline: 2px solid var(--ink); }
main { padding: 8px 24px 40px; display: grid; gap: 14px; }
.job { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
  display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 6px 16px; }
.job > * { grid-column: 1 / -1; }
.job-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px; }
.source { font-size: 16px; margin: 0; word-break: break-all; }
.meta, .files, .labels { color: var(--muted); font-size: 12.5px; }
.labels { display: flex; gap: 8px; list-style: none; padding: 0; margin: 0; }
.status { text-transform: uppercase; font-size: 11px; font-weight: 700; letter-spacing: .04em; padding: 2px 8px; border-radius: 4px; color: #fff; }
.status-succeeded { background: var(--ok); } .status-failed { background: var(--bad); } .status-running { background: var(--run); } .status-to-retry { background: var(--run); } .status-waiting-batch { background: var(--run); }
.media { display: flex; gap: 10px; align-items: flex-start; flex-wrap: wrap; }
.media img { display: block; border-radius: 6px; border: 1px solid var(--line); background: #ddd; }
.thumb img { width: 200px; height: 200px; object-fit: cover; }
.thumb.none { width: 200px; height: 200px; display: grid; place-items: center; color: var(--muted); border: 1px dashed var(--line); border-radius: 6px; }
.compare img { height: 200px; max-width: 100%; object-fit: contain; }
.error { border-left: 4px solid var(--bad); padding: 6px 10px; background: color-mix(in srgb, var(--bad) 8%, transparent); border-radius: 4px; }
.error-code { font-weight: 700; color: var(--bad); }
pre { white-space: pre-wrap; font-size: 12px; }
table.stages { border-collapse: collapse; width: 100%; font-size: 13px; }
.stages th, .stages td { text-align: left; vertical-align: top; padding: 5px 8px; border-top: 1px solid var(--line); }
.stages th { color: var(--muted); font-weight: 500; }
.prompt { max-width: 560px; }
.effective { color: var(--muted); margin-top: 2px; } .effective span { font-weight: 600; }
.stage-thumb { width: 56px; height: 56px; object-fit: cover; border-radius: 4px; }
.warnings { margin: 4px 0 0; padding-left: 18px; color: var(--run); font-size: 12.5px; }
.lineage h3 { font-size: 13px; margin: 6px 0 2px; color: var(--muted); }
.lineage ul { margin: 0; padding-left: 18px; font-size: 12.5px; }
.role { display: inline-block; min-width: 64px; color: var(--muted); }
.sha { font-size: 11.5px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
a { color: inherit; }
:target { outline: 2px solid var(--ink); }
.empty, .note { color: var(--muted); }
.note { font-size: 12px; }
${DISPLAY_STATUSES.map(statusId)
  .map((s) => `body:has(#filter-${s}:checked) .job:not([data-status="${s}"]) { display: none; }`)
  .join('\n')}
`;
