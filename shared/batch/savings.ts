import type { StageRecord } from '../lineage/records.js';

/**
 * What the batch lane saved a job: for each stage answered by a batch job, its interactive price
 * less what it cost (the engine records both in the stage's details).
 * @param stages the job's stage records
 * @returns US dollars, 0 when no stage ran in the batch lane
 */
export function batchLaneSavings(stages: Pick<StageRecord, 'details'>[]): number {
  const saved = stages.reduce((sum, s) => {
    const value = s.details?.lane === 'batch' ? s.details.savedUsd : undefined;
    return sum + (typeof value === 'number' ? value : 0);
  }, 0);
  return Math.round(saved * 1e6) / 1e6;
}
