/** The report page: a self-contained `index.html` of every job in a results folder. */
export {
  type CollectOptions,
  collectReport,
  DEFAULT_REPORT_LIMIT,
  type ReportData,
  type ReportFiles,
  type ReportInput,
  type ReportJob,
} from './collect.js';
export { escapeHtml, html, relativeUrl, SafeHtml } from './html.js';
export { formatCost, formatTime, jobAnchor, renderJob } from './render-job.js';
export { REPORT_CSP, renderReport } from './render-page.js';
export { REPORT_FILE, type WriteReportOptions, type WrittenReport, writeReport } from './write-report.js';
