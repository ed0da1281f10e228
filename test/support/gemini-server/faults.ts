/**
 * Faults the Gemini test server can be told to answer with, one per call, in the order queued.
 * Every fault may carry `delayMs`: the server waits that long before answering (slow reply).
 */
/** One scripted answer; `{ kind: 'ok', delayMs }` is a normal but slow reply. */
export type GeminiFault = { delayMs?: number } & GeminiFaultKind;

type GeminiFaultKind =
  | { kind: 'ok' }
  /**
   * An HTTP error in Google's JSON format. `details` are sent as given (a 429 from `fault.rateLimited`
   * carries QuotaFailure, Help and RetryInfo, as the service does); the service sends no Retry-After
   * header, so one is sent only when `retryAfterSeconds` asks for it.
   */
  | {
      kind: 'error';
      status: number;
      message?: string;
      details?: unknown[];
      retryAfterSeconds?: number;
    }
  /** An HTTP error whose body is not JSON (a proxy's HTML page). */
  | { kind: 'non-json-error'; status: number; body?: string }
  /** The connection is destroyed without an answer. */
  | { kind: 'drop' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** `promptFeedback.blockReason`, no candidates. */
  | { kind: 'blocked'; reason: string; message?: string }
  /** A candidate with this finishReason; with `image: true` the image is still included. */
  | { kind: 'finish'; finishReason: string; text?: string; image?: boolean }
  /**
   * A refusal as the image models send it: `content: {}` (no parts), the finishReason (NO_IMAGE,
   * IMAGE_SAFETY, IMAGE_PROHIBITED_CONTENT, IMAGE_OTHER, …), the service's `finishMessage` when
   * given, and no `candidatesTokenCount`.
   */
  | { kind: 'refused'; finishReason: string; finishMessage?: string }
  /** STOP with text only (the model explaining in words that it will not do it). */
  | { kind: 'text-only'; text?: string }
  /** A candidate whose content has no `parts` (`content: { role: 'model' }`). */
  | { kind: 'no-parts'; finishReason?: string }
  /**
   * `count` interim images marked `thought: true` before the final image: sent only when the request
   * asks for thoughts (`thinkingConfig.includeThoughts`), as the service does.
   */
  | { kind: 'thoughts'; count?: number }
  /** An image part whose bytes are not an image. */
  | { kind: 'bad-image' }
  /**
   * A model that keeps image 1 instead of inverting it — what a model asked to keep the product
   * does — but moves and/or recolours what it was sent: image 1 at the output size, not negated,
   * translated by `move.x`, `move.y` px (the uncovered strip filled with image 1's top-left colour,
   * the backdrop of a product on its canvas), and its hue rotated by `hue` degrees (greys and
   * white stay as they are, so on a white canvas only the product changes colour). The reference
   * thumbnails, the seed mark and the encoding (JPEG for the 3.x models, PNG for 2.5) are those of
   * the normal reply. Without `move` and `hue` it is a faithful edit.
   */
  | { kind: 'redraw'; move?: { x: number; y: number }; hue?: number };

/** Shorthands for the common faults, in the shapes the service answers with. */
export const fault = {
  /** A per-minute quota: QuotaFailure, Help and RetryInfo, and "Please retry in N s." in the message. */
  rateLimited: (retryDelay = '2s', model = 'gemini-3.1-flash-image'): GeminiFault => ({
    kind: 'error',
    status: 429,
    ...quotaReply({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel', retryDelay, model, limit: 10 }),
  }),
  /** A per-day quota: the same shape with a per-day quota id (and a short RetryInfo, as observed). */
  dailyQuota: (model = 'gemini-3.1-flash-image'): GeminiFault => ({
    kind: 'error',
    status: 429,
    ...quotaReply({
      quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
      retryDelay: '41s',
      model,
      limit: 250,
    }),
  }),
  /** A billing stop: 429 RESOURCE_EXHAUSTED with only a message, no QuotaFailure, no RetryInfo. */
  billing: (): GeminiFault => ({
    kind: 'error',
    status: 429,
    message:
      'Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.',
  }),
  unavailable: (): GeminiFault => ({ kind: 'error', status: 503 }),
  status: (status: number, message?: string): GeminiFault => ({
    kind: 'error',
    status,
    ...(message ? { message } : {}),
  }),
  slow: (delayMs: number): GeminiFault => ({ kind: 'ok', delayMs }),
  /** Image 1 kept, moved right by `dx` px (and down by `dy`). */
  moved: (dx: number, dy = 0): GeminiFault => ({ kind: 'redraw', move: { x: dx, y: dy } }),
  /** Image 1 kept in place, its colours' hue rotated by `hue` degrees. */
  recoloured: (hue = 180): GeminiFault => ({ kind: 'redraw', hue }),
  /** Image 1 kept as it was sent (a model that respected the product). */
  kept: (): GeminiFault => ({ kind: 'redraw' }),
} as const;

/**
 * The message and details of a quota 429 as the Gemini API writes them: Help (a link), QuotaFailure
 * (the violated quota), RetryInfo (a fractional delay), and the delay again in the message.
 */
export function quotaReply(o: { quotaId: string; retryDelay: string; model: string; limit: number }) {
  const seconds = o.retryDelay.replace(/s$/, '');
  return {
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
      'head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. ' +
      `\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_paid_tier_requests, limit: ${o.limit}, model: ${o.model}` +
      `\nPlease retry in ${seconds}s.`,
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Learn more about Gemini API quotas',
            url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
            quotaId: o.quotaId,
            quotaDimensions: { location: 'global', model: o.model },
            quotaValue: String(o.limit),
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: o.retryDelay },
    ],
  };
}

/** The transient faults drawn by a random fault rate. */
export const TRANSIENT_FAULTS: readonly GeminiFault[] = [
  fault.rateLimited('1s'),
  fault.unavailable(),
  fault.status(500),
  fault.status(502),
  fault.status(504),
  { kind: 'drop' },
];

/**
 * A small seeded PRNG (mulberry32), so a fault rate gives the same sequence on every run.
 * @returns numbers in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
