import { relative } from 'node:path';
import type { Outcome } from '../pipeline/index.js';

/** One line for the terminal about one handled object. */
export function describeOutcome(object: string, outcome: Outcome, resultsDir: string): string {
  const at = (prefix: string) => `${relative(process.cwd(), `${resultsDir}/${prefix}`) || '.'}/`;
  switch (outcome.kind) {
    case 'succeeded':
      return `✔ ${object} → ${at(outcome.prefix)}`;
    case 'failed':
      return `✘ ${object} failed: ${outcome.error.code}: ${outcome.error.message} (see ${at(outcome.prefix)}error.json)`;
    case 'duplicate':
      return outcome.status === 'failed'
        ? `= ${object}: job ${outcome.jobId} already failed; once its cause is fixed, \`darkroom run --retry-failed\` tries it again`
        : `= ${object}: job ${outcome.jobId} already ${outcome.status}`;
    case 'busy':
      return `… ${object}: job ${outcome.jobId} is running elsewhere`;
    case 'retry':
      return `↻ ${object}: transient failure, run again to resume: ${outcome.error.code}: ${outcome.error.message}`;
    case 'waiting':
      return `· ${object}: waiting (${outcome.reason})`;
    case 'ignored':
      return `· ${object}: ignored (${outcome.reason})`;
    case 'waiting-batch':
      return `⧗ ${object}: job ${outcome.jobId} waiting-batch (run \`darkroom batch submit\`, then \`darkroom batch status\`)`;
    case 'dispatched':
      return `→ ${object}: job ${outcome.jobId} stage ${outcome.stage} queued on ${outcome.queue}`;
  }
}
