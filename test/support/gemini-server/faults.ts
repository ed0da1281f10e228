/**
 * Faults the Gemini test server can be told to answer with, one per call, in the order queued.
 * Every fault may carry `delayMs`: the server waits that long before answering (slow reply).
 */
/** One scripted answer; `{ kind: 'ok', delayMs }` is a normal but slow reply. */
export type GeminiFault = { delayMs?: number } & GeminiFaultKind;

type GeminiFaultKind =
  | { kind: 'ok' }
  /** An HTTP error in Google's JSON format; 429 may carry RetryInfo and a Retry-After header. */
  | { kind: 'error'; status: number; message?: string; retryDelay?: string; retryAfterSeconds?: number }
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
  /** STOP with text only. */
  | { kind: 'text-only'; text?: string }
  /** A candidate whose content has no `parts` (`content: { role: 'model' }`). */
  | { kind: 'no-parts'; finishReason?: string }
  /** `count` interim images marked `thought: true` before the final image. */
  | { kind: 'thoughts'; count?: number }
  /** An image part whose bytes are not an image. */
  | { kind: 'bad-image' };

/** Shorthands for the common faults. */
export const fault = {
  rateLimited: (retryDelay = '2s', retryAfterSeconds?: number): GeminiFault => ({
    kind: 'error',
    status: 429,
    retryDelay,
    retryAfterSeconds: retryAfterSeconds ?? Math.ceil(Number.parseFloat(retryDelay)),
  }),
  unavailable: (): GeminiFault => ({ kind: 'error', status: 503 }),
  status: (status: number, message?: string): GeminiFault => ({
    kind: 'error',
    status,
    ...(message ? { message } : {}),
  }),
  slow: (delayMs: number): GeminiFault => ({ kind: 'ok', delayMs }),
} as const;

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
