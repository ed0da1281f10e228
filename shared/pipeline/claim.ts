import { describeError } from '../errors.js';
import { ATTEMPT_RETENTION_MS, type AttemptRecord, type JobRecord } from '../lineage/records.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { countedAttempts } from './quota-wait.js';

/** The outcome of trying to claim a job. */
export type Claim =
  /** `created`: this claim created the job, so nothing of it is recorded yet (no stage, no attempt before). */
  | { kind: 'claimed'; job: JobRecord; attempt: number; created?: boolean }
  | { kind: 'finished'; job: JobRecord }
  | { kind: 'busy'; job: JobRecord }
  | { kind: 'exhausted'; job: JobRecord };

/**
 * Claims a job for this process. The first delivery creates `jobs/{id}` with `attempts/1`
 * (create-only, in one write);
 * later ones find it and either acknowledge (finished), back off (a live lease elsewhere),
 * or take over an expired lease by creating `attempts/{n+1}` and moving the job to it in
 * one transaction fenced on attempt n, so of several deliveries racing for the same
 * takeover exactly one wins. The attempt number is the fencing token that later writes check.
 *
 * ```
 * delivery A: create jobs/J ──────────────► claimed (attempt 1)
 * delivery B: create jobs/J ✗ exists ─► lease live? ─► busy
 * delivery C (after expiry): create attempts/2 ─► claimed (attempt 2)
 * delivery D (same time):    create attempts/2 ✗ ─► busy
 * ```
 */
export async function claimJob(deps: PipelineDeps, fresh: JobRecord): Promise<Claim> {
  const { lineage, owner } = deps;
  const now = nowOf(deps);
  const leaseExpiresAt = new Date(now + deps.config.timing.leaseMs);
  const first = { ...fresh, attempt: 1, owner, leaseExpiresAt, status: 'running' as const };
  if (await lineage.createJob(first, attemptRecord(1, owner, now))) {
    return { kind: 'claimed', job: first, attempt: 1, created: true };
  }
  const job = await lineage.getJob(fresh.id);
  if (!job) throw new Error(`job ${fresh.id} exists but could not be read`);
  if (job.status !== 'running') return { kind: 'finished', job };
  if (job.leaseExpiresAt.getTime() > now) return { kind: 'busy', job };
  const attempt = job.attempt + 1;
  // Hand-offs to a task queue, a model's "not now" and quota waits are free (quota-wait.ts).
  if (countedAttempts(job, attempt) > deps.config.maxAttempts) return { kind: 'exhausted', job };
  // One transaction checks that attempt n is still running with its lease run out, creates
  // attempts/{n+1} and moves the job to it: a finalize of attempt n, a renewal or another
  // takeover cannot slip in between the check and the write.
  const took = await lineage.updateJobIfCurrent(job.id, {
    fence: { attempt: job.attempt, leaseExpiredBy: new Date(now) },
    newAttempt: attemptRecord(attempt, owner, now),
    patch: { attempt, owner, leaseExpiresAt, updatedAt: new Date(now) },
  });
  if (!took) return { kind: 'busy', job };
  return { kind: 'claimed', job: { ...job, attempt, owner, leaseExpiresAt }, attempt };
}

/**
 * Extends the lease, in one fenced write that holds only while this attempt still owns
 * the running job (a superseded attempt can no longer extend the lease of its successor).
 * @returns false when a later attempt has taken over
 */
export async function renewLease(deps: PipelineDeps, jobId: string, attempt: number): Promise<boolean> {
  const now = nowOf(deps);
  return deps.lineage.updateJobIfCurrent(jobId, {
    fence: { attempt },
    patch: { leaseExpiresAt: new Date(now + deps.config.timing.leaseMs), updatedAt: new Date(now) },
  });
}

/**
 * @returns true while `attempt` is the job's current attempt and the job is still running:
 *   the check every write of an attempt makes before it changes the job record
 */
export async function ownsJob(deps: PipelineDeps, jobId: string, attempt: number): Promise<boolean> {
  const job = await deps.lineage.getJob(jobId);
  return !!job && job.attempt === attempt && job.status === 'running';
}

/** A running lease heartbeat (see {@link keepLease}). */
export interface LeaseKeeper {
  /** Aborted when a renewal finds that a later attempt took the job over. */
  readonly signal: AbortSignal;
  /** true once a renewal found the job taken over (or finished) by someone else. */
  readonly lost: boolean;
  /** Stops renewing; waits for a renewal in flight. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Renews the lease of a claimed attempt every `leaseMs / 3` (or `everyMs`) while the
 * attempt works, so that a slow but live attempt is never taken over. A renewal that
 * finds a later attempt in charge aborts `signal` (engines stop their calls) and stops.
 * A failed renewal (Firestore unreachable) is logged and retried at the next tick; it
 * never rejects.
 * @example
 * const lease = keepLease(deps, { jobId, attempt, log });
 * try { await work(lease.signal); } finally { await lease.stop(); }
 */
export function keepLease(
  deps: PipelineDeps,
  options: { jobId: string; attempt: number; log: PipelineDeps['log']; everyMs?: number },
): LeaseKeeper {
  const controller = new AbortController();
  const everyMs = options.everyMs ?? Math.max(100, Math.floor(deps.config.timing.leaseMs / 3));
  let lost = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      if (await renewLease(deps, options.jobId, options.attempt)) return;
      lost = true;
      clearInterval(timer);
      options.log.warn('lease lost to a later attempt; stopping', { attempt: options.attempt });
      controller.abort(new SupersededError(options.jobId, options.attempt));
    } catch (err) {
      options.log.warn('lease renewal failed; retrying at the next tick', { reason: describeError(err) });
    }
  };
  const timer = setInterval(() => {
    inFlight = inFlight.then(tick);
  }, everyMs);
  timer.unref();
  return {
    signal: controller.signal,
    get lost() {
      return lost;
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** Thrown when a later attempt has taken the job over: this attempt must stop writing. */
export class SupersededError extends Error {
  constructor(jobId: string, attempt: number) {
    super(`job ${jobId}: attempt ${attempt} was superseded by a later attempt`);
    this.name = 'SupersededError';
  }
}

function attemptRecord(attempt: number, owner: string, now: number): AttemptRecord {
  return { attempt, owner, startedAt: new Date(now), expireAt: new Date(now + ATTEMPT_RETENTION_MS) };
}
