import type { ErrorCode, TransientError } from '../errors.js';

/**
 * Transient codes that mean "the service will not serve this project until a known time" (a used-up
 * daily model quota). Waiting for that time is not a failed attempt: the job is parked (its lease
 * runs until the reset, so earlier redeliveries find it busy and create no attempt), and the attempt
 * that ended in the wait does not count against MAX_ATTEMPTS.
 */
const QUOTA_WAIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ENGINE_QUOTA_EXHAUSTED']);

/**
 * @param err a transient failure of an attempt
 * @returns how long to park the job (the service's `retryAfterMs`), or undefined when the failure
 *   is an ordinary one that counts as an attempt
 */
export function quotaWaitMs(err: TransientError): number | undefined {
  return QUOTA_WAIT_CODES.has(err.code) ? Math.max(0, err.retryAfterMs ?? 0) : undefined;
}

/**
 * The attempts that count against MAX_ATTEMPTS: every claim or takeover but those that ended
 * waiting for a quota reset and, in tasks mode, hand-offs to a queue and a model's "not now"
 * (`freeAttempts`, handoff.ts).
 * @param job the job's `quotaWaits` and `freeAttempts`
 * @param attempt the attempt number (the fencing token, which always grows)
 */
export function countedAttempts(
  job: { quotaWaits?: number | undefined; freeAttempts?: number | undefined },
  attempt: number,
): number {
  return attempt - (job.quotaWaits ?? 0) - (job.freeAttempts ?? 0);
}
