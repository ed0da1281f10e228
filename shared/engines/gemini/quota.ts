/**
 * Reading a 429 RESOURCE_EXHAUSTED by its details, the way the service tells its cases apart:
 * - a per-minute quota: `google.rpc.QuotaFailure` with a `…PerMinute…` quota id, and usually a
 *   `google.rpc.RetryInfo` ("Please retry in 34.29s."): wait that long;
 * - a per-day quota: a `…PerDay…` quota id: wait until the daily reset (midnight Pacific, per the
 *   Gemini API rate-limits page), whatever short RetryInfo rides along;
 * - a billing stop: no QuotaFailure, no RetryInfo, and a message about prepayment credits, billing
 *   or a spend limit ("Your prepayment credits are depleted…"): no wait helps, an operator must act;
 * - anything else (Vertex's bare "Resource has been exhausted (e.g. check quota)."): a wait.
 */

/** The parts of Google's JSON error body (`{"error":{code,message,status,details}}`) we read. */
export interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown>>;
}

/** What kind of "resource exhausted" a 429 is. */
export type QuotaKind = 'rate-limit' | 'quota-per-day' | 'billing';

/** The classification of one 429. */
export interface QuotaVerdict {
  kind: QuotaKind;
  /** How long to wait before asking again; undefined for `billing` (never) or when not said. */
  retryAfterMs?: number | undefined;
  /** The violated quota ids, when the reply named them. */
  quotaIds: string[];
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
/** Wording of billing stops as the Gemini API writes them (see docs/gemini.md for where observed). */
const BILLING_WORDS =
  /prepayment|credits? (?:are|is|have been) (?:depleted|exhausted)|billing|spend(?:ing)?[ -]?(?:limit|cap)/i;

/**
 * Reads `google.rpc.RetryInfo.retryDelay` (a protobuf Duration in JSON: `"2s"`, `"34.290123s"`),
 * rounded **up** to the millisecond: waiting less than the service asked for earns another 429.
 * @returns the delay in milliseconds, or undefined when there is none
 */
export function retryDelayMs(body: GoogleErrorBody | undefined): number | undefined {
  const info = body?.details?.find((d) => d['@type'] === RETRY_INFO);
  const delay = info?.retryDelay;
  if (typeof delay !== 'string') return undefined;
  const match = /^(\d+)(?:\.(\d+))?s$/.exec(delay.trim());
  if (!match) return undefined;
  // Integer arithmetic on the digits: 34.29 * 1000 in floating point is 34289.999…
  const fraction = (match[2] ?? '').padEnd(9, '0').slice(0, 9);
  const nanos = BigInt(match[1] as string) * 1_000_000_000n + BigInt(fraction);
  return Number((nanos + 999_999n) / 1_000_000n);
}

/**
 * Classifies a 429 body.
 * @param body the parsed error body
 * @param now the current time (epoch ms), for the time left until the daily reset
 */
export function classifyQuota(body: GoogleErrorBody | undefined, now: number): QuotaVerdict {
  const violations = (body?.details ?? [])
    .filter((d) => d['@type'] === QUOTA_FAILURE)
    .flatMap((d) => (Array.isArray(d.violations) ? (d.violations as Array<Record<string, unknown>>) : []));
  const quotaIds = violations
    .map((v) => v.quotaId ?? v.quotaMetric)
    .filter((id): id is string => typeof id === 'string');
  const retryAfterMs = retryDelayMs(body);
  if (quotaIds.some((id) => /PerDay/i.test(id))) {
    return {
      kind: 'quota-per-day',
      retryAfterMs: Math.max(retryAfterMs ?? 0, msUntilPacificMidnight(now)),
      quotaIds,
    };
  }
  if (violations.length === 0 && retryAfterMs === undefined && BILLING_WORDS.test(body?.message ?? '')) {
    return { kind: 'billing', quotaIds };
  }
  return { kind: 'rate-limit', retryAfterMs, quotaIds };
}

/**
 * Milliseconds from `now` to the next midnight in America/Los_Angeles, when daily quotas reset.
 * Computed with the platform's time-zone data, so daylight saving time is followed.
 */
export function msUntilPacificMidnight(now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + (now % 1000);
  return 24 * 3600 * 1000 - elapsed;
}
