import { z } from 'zod';
import { type CollectorPassReport, runCollectorPass } from '../batch/collector-pass.js';
import type { BatchDeps } from '../batch/submit.js';
import { ConfigError } from '../config.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NotifyDeps } from '../notify/notify-completion.js';
import { notifyOutcome } from '../notify/notify-outcome.js';
import { nowOf } from '../pipeline/deps.js';
import { verifyTaskToken } from './task-token.js';

/** The variables of the `collectBatches` function (see the README's configuration table). */
export const CollectorSettingsSchema = z.object({
  /** The function's own URL: the audience of the scheduler's OIDC token. */
  COLLECT_BATCHES_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** The service account Cloud Scheduler mints the OIDC token for. */
  SCHEDULER_INVOKER_ACCOUNT: z.email({ error: 'must be a service account e-mail' }),
});

/** The typed collector settings. */
export type CollectorSettings = z.output<typeof CollectorSettingsSchema>;

/**
 * @param env an environment object
 * @throws ConfigError naming each missing or invalid variable
 */
export function readCollectorSettings(env: NodeJS.ProcessEnv): CollectorSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = CollectorSettingsSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `Environment variable ${key} ${key in present ? `${i.message} (got "${present[key]}")` : 'is required for collectBatches'}`;
    }),
  );
}

/** The function's world: the pipeline deps with the batch store and client, and its settings. */
export interface CollectorRuntime {
  deps: BatchDeps;
  log: Logger;
  settings: CollectorSettings;
  /** The announcement channels: a job the pass finishes in this process is announced here. */
  notify?: NotifyDeps | undefined;
}

/** The function's answer to Cloud Scheduler (a non-2xx is retried per the job's retry config). */
export interface CollectorReply {
  status: number;
  body: {
    outcome: 'done' | 'forbidden' | 'error';
    reason?: string | undefined;
    submitted?: string[];
    recovered?: string[];
    unknown?: number;
    waiting?: Record<string, number>;
    polled?: { id: string; state: string; requests: number }[];
    resumed?: number;
    /** Jobs the pass finished whose completion could not be announced (logged; not retried). */
    unannounced?: string[];
  };
}

/**
 * Handles one Cloud Scheduler run: 403 unless the bearer token is an OIDC token for this function
 * and the scheduler's account; otherwise one collector pass, answered 200 with what it did (a
 * create without an answer is reported in `unknown` and finished by the next run), or 500 when the
 * pass failed (the next run picks up where it stopped).
 * @param request the request headers
 * @param runtime the function's runtime
 */
export async function handleCollectorRequest(
  request: { headers: Record<string, string | string[] | undefined> },
  runtime: CollectorRuntime,
): Promise<CollectorReply> {
  const auth = request.headers.authorization;
  const denied = verifyTaskToken(Array.isArray(auth) ? auth[0] : auth, {
    audience: runtime.settings.COLLECT_BATCHES_URL,
    email: runtime.settings.SCHEDULER_INVOKER_ACCOUNT,
    nowMs: nowOf(runtime.deps),
    names: { audience: 'COLLECT_BATCHES_URL', email: 'SCHEDULER_INVOKER_ACCOUNT' },
  });
  if (denied) {
    runtime.log.warn('collector run refused', { reason: denied });
    return { status: 403, body: { outcome: 'forbidden', reason: denied } };
  }
  let report: CollectorPassReport;
  try {
    report = await runCollectorPass(runtime.deps);
  } catch (err) {
    runtime.log.error('the collector pass failed; the next run continues it', { error: describeError(err) });
    return { status: 500, body: { outcome: 'error', reason: describeError(err) } };
  }
  const unannounced = await _announce(runtime, report);
  const body = {
    outcome: 'done' as const,
    submitted: report.submit.submitted,
    recovered: report.submit.recovered,
    unknown: report.submit.unknown.length,
    waiting: report.submit.waiting,
    polled: report.poll.batches.map(({ id, state, requests }) => ({ id, state, requests })),
    resumed: report.poll.resumed.filter((r) => r.kind !== 'not-ready').length,
    ...(unannounced.length > 0 ? { unannounced } : {}),
  };
  runtime.log.info('collector pass done', body);
  return { status: 200, body };
}

/**
 * Announces the jobs the pass ran to their end in this process (inline dispatch); in tasks mode the
 * `runStage` worker that finishes a job announces it. Every job is tried, each once: a later run
 * does not come back to a job it finished, so a refused announcement is logged, not retried.
 * @returns the jobs whose announcement failed
 */
async function _announce(runtime: CollectorRuntime, report: CollectorPassReport): Promise<string[]> {
  if (!runtime.notify) return [];
  const failed: string[] = [];
  for (const resumed of report.poll.resumed) {
    if (resumed.kind !== 'ran') continue;
    try {
      await notifyOutcome({ ...runtime.notify, log: runtime.log }, resumed.outcome);
    } catch (err) {
      failed.push(resumed.jobId);
      runtime.log.error('the job ended but its completion was not announced', {
        jobId: resumed.jobId,
        error: describeError(err),
      });
    }
  }
  return failed;
}
