import { SYSTEM_CLOCK } from '../clock.js';
import { TransientError } from '../errors.js';
import type { JobContext } from './job-context.js';

/** Tries of a write that keeps a paid result, and the first pause (doubled after each failure). */
export const WRITE_RETRY = { attempts: 4, firstDelayMs: 250 } as const;

/**
 * Runs a write again after a transient failure, within the invocation's deadline, so that a
 * result the engine was paid for is stored instead of being computed again on redelivery.
 * @returns what the write returned
 * @throws the last TransientError when the tries or the time run out; any other error at once
 */
export async function retryTransientWrite<T>(
  ctx: JobContext,
  what: string,
  write: () => Promise<T>,
): Promise<T> {
  const sleep = ctx.deps.sleep ?? SYSTEM_CLOCK.sleep;
  let delay: number = WRITE_RETRY.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      const last = attempt >= WRITE_RETRY.attempts || ctx.now() + delay >= ctx.deadline;
      if (!(err instanceof TransientError) || last) throw err;
      ctx.log.warn('write failed transiently; trying again', { what, attempt, reason: err.message });
      await sleep(delay);
      delay *= 2;
    }
  }
}
