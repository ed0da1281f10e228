import { type PollReport, pollBatches } from './poll.js';
import { type BatchDeps, type SubmitReport, submitBatches } from './submit.js';

/** What one collector pass did. */
export interface CollectorPassReport {
  submit: SubmitReport;
  poll: PollReport;
}

/**
 * One pass of the collector, as Cloud Scheduler runs it every few minutes (and `darkroom batch
 * submit` then `status` locally): submit what is due (never twice, submit.ts), then poll the live
 * batches and apply the finished ones, continuing their jobs (poll.ts). Safe to repeat, to run
 * concurrently and to interrupt at any point.
 * @returns both reports
 */
export async function runCollectorPass(deps: BatchDeps): Promise<CollectorPassReport> {
  const submit = await submitBatches(deps);
  const poll = await pollBatches(deps);
  return { submit, poll };
}
