/** The report page: a self-contained `index.html` of every job in a results folder. */
export { type WriteReportOptions, type WrittenReport, writeReport } from './write-report.js';
