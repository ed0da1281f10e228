/**
 * Reading what the SDK's response converter drops.
 *
 * On the Gemini Developer API, `@google/genai` 2.32.0 rebuilds every candidate field by field
 * (`candidateFromMldev`): `content`, `finishReason`, `safetyRatings`, … but not `finishMessage`,
 * the service's own sentence explaining a refusal. (On Vertex the candidates are passed through
 * unchanged and `finishMessage` survives.) The SDK takes a `fetch` in its per-request
 * `httpOptions`; the engine passes one that reads the body, keeps `finishMessage`, and hands the
 * SDK an identical response.
 */

/** What the raw body held that the SDK may drop; filled by the fetch of one attempt. */
export interface RawReplyCapture {
  finishMessage?: string | undefined;
}

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * A `fetch` for the SDK's `httpOptions.fetch` that records the first candidate's `finishMessage`
 * of a successful reply into `capture` and returns the same status, headers and body.
 * Without a custom fetch the SDK lifts undici's 300 s header and body timeouts (its per-attempt
 * timeout governs instead); this fetch does the same, so long 4K edits are not cut at 5 minutes.
 * @param capture the object to fill
 * @param base the fetch to wrap (default: the global one)
 */
export function capturingFetch(capture: RawReplyCapture, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const dispatcher = _noTimeoutDispatcher();
    const res = await base(input, { ...init, ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
    if (!res.ok) return res;
    const text = await res.text();
    capture.finishMessage = finishMessageOf(text);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * @param body a `generateContent` reply body
 * @returns `candidates[0].finishMessage`, when the body is JSON and has one
 */
export function finishMessageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { candidates?: Array<{ finishMessage?: unknown }> };
    const message = parsed.candidates?.[0]?.finishMessage;
    return typeof message === 'string' ? message : undefined;
  } catch {
    // The SDK parses the same body next and reports it as malformed.
    return undefined;
  }
}

// ── internal ──────────────────────────────────────────────────────────────

interface Dispatcher {
  dispatch(opts: Record<string, unknown>, handler: unknown): boolean;
}

/** Node's own undici dispatcher with header and body timeouts off, as the SDK itself builds it. */
function _noTimeoutDispatcher(): Dispatcher | undefined {
  const read = () =>
    (globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] as Dispatcher | undefined;
  // Node sets its dispatcher up lazily, on first use of its fetch API (the SDK does the same).
  if (!read()) new Headers();
  const global = read();
  if (!global || typeof global.dispatch !== 'function') return undefined;
  return {
    dispatch: (opts, handler) => global.dispatch({ ...opts, headersTimeout: 0, bodyTimeout: 0 }, handler),
  };
}
