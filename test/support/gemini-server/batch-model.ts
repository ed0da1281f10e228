import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GeminiFault } from './faults.js';
import type { GeminiRoute } from './protocol.js';
import { replyWith } from './reply.js';
import type { ValidRequest } from './validate.js';

/**
 * The state of the Gemini test server's batch jobs, on a controllable clock. A batch is PENDING
 * for `pendingMs`, RUNNING for `runningMs`, then SUCCEEDED; one told to stay pending (or to
 * expire) sits in PENDING until the service's 48 h limit and becomes EXPIRED, with no results.
 */

/** The service expires a batch pending or running for more than 48 h (shared/reference/gemini-batch.md). */
export const BATCH_EXPIRY_MS = 48 * 60 * 60 * 1000;

/** What a member of a batch answers: a `generateContent` fault, or an error inside the batch. */
export type MemberFault = GeminiFault | { kind: 'request-error'; code: number; message: string };

/** One request of a batch, validated. */
export interface BatchRequestEntry {
  key?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  request: ValidRequest;
  fault: MemberFault;
}

/** One batch job. */
export interface TestBatch {
  id: string;
  displayName: string;
  model: string;
  createdAt: number;
  plan: 'normal' | 'stay-pending';
  cancelledAt?: number | undefined;
  requests: BatchRequestEntry[];
  /** Inline requests, or a JSONL file through the Files API (answered with a responses file). */
  input: 'inline' | 'file';
  inputBytes: number;
  /** Rendered once, the first time the batch is seen finished. */
  responses?: unknown[] | undefined;
}

/** The REST states (`BATCH_STATE_*`). */
export type BatchRestState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'CANCELLED' | 'EXPIRED';

/**
 * @returns the batch's state at `now`
 * @param timing how long a normal batch stays pending, then running
 */
export function batchState(
  batch: TestBatch,
  now: number,
  timing: { pendingMs: number; runningMs: number },
): BatchRestState {
  if (batch.cancelledAt !== undefined) return 'CANCELLED';
  const age = now - batch.createdAt;
  if (batch.plan === 'stay-pending') return age > BATCH_EXPIRY_MS ? 'EXPIRED' : 'PENDING';
  if (age < timing.pendingMs) return 'PENDING';
  if (age < timing.pendingMs + timing.runningMs) return 'RUNNING';
  return 'SUCCEEDED';
}

/**
 * Renders the inline responses of a finished batch in the service's shape:
 * `{ response, metadata }`, or `{ error: { code, message }, metadata }` for a failed request.
 * Successful answers are rendered like `generateContent` replies (the same faults apply).
 */
export async function renderResponses(batch: TestBatch, serial: () => number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const entry of batch.requests) {
    const metadata = entry.metadata ? { metadata: entry.metadata } : {};
    if (entry.fault.kind === 'request-error') {
      out.push({ error: { code: entry.fault.code, message: entry.fault.message }, ...metadata });
      continue;
    }
    const body = await _renderOne(entry.fault, entry.request, batch.model, serial());
    out.push({ response: body, ...metadata });
  }
  return out;
}

// ── internal ──────────────────────────────────────────────────────────────

/** Renders one reply with the interactive server's own reply code, captured instead of sent. */
async function _renderOne(
  fault: GeminiFault,
  request: ValidRequest,
  model: string,
  n: number,
): Promise<unknown> {
  let text = '';
  const res = {
    writeHead: () => res,
    end: (chunk: string) => {
      text = chunk;
    },
  } as unknown as ServerResponse;
  const route: GeminiRoute = { backend: 'gemini-api', model };
  await replyWith(fault, { req: {} as IncomingMessage, res, route, request, call: {}, n });
  return JSON.parse(text) as unknown;
}
