import { randomBytes } from 'node:crypto';
import type { FakeModel } from './models.js';
import { type FakeOutput, transform } from './transform.js';

/**
 * The state machine of a fake prediction: `starting` → `processing` → a terminal status,
 * driven by a script (how many polls or how long until it ends, and how it ends) and by its
 * `Cancel-After` deadline.
 */

/** How the next created prediction behaves. */
export interface PredictionScript {
  /** How it ends; `never` stays `processing`. Default `succeeded`. */
  outcome?: 'succeeded' | 'failed' | 'canceled' | 'aborted' | 'never';
  /** Polls (`GET`) before it ends; default 0 (it ends inside the create call's `Prefer: wait`). */
  afterPolls?: number;
  /** Real milliseconds after creation before it ends; default 0. */
  afterMs?: number;
  /** The model's error text (always set on `failed`; optional on `canceled` and `aborted`). */
  error?: string;
  /**
   * `image` (default), `not-image` (bytes that do not decode), `svg` (a tiny SVG declaring
   * 16,000² px), `expired` (URL already gone), `none`.
   */
  output?: 'image' | 'not-image' | 'svg' | 'expired' | 'none';
  /** Announce the output under this base URL instead of the server's own (a host to refuse). */
  outputBase?: string;
  /** Polls before it leaves `starting` (the queue) for `processing`; default 1. */
  startAfterPolls?: number;
  /** `metrics.predict_time` in seconds; default 1.5. */
  predictTime?: number;
}

/** A prediction held by the fake service. */
export interface FakePrediction {
  id: string;
  model: FakeModel;
  version: string | undefined;
  /** The input exactly as the client sent it. */
  input: Record<string, unknown>;
  /** The decoded input images, in order. */
  images: Buffer[];
  script: PredictionScript;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';
  polls: number;
  createdAt: number;
  completedAt?: number | undefined;
  /** Real time at which `Cancel-After` ends it. */
  cancelAt?: number | undefined;
  outputs: { url: string; file: FakeOutput | undefined; expiresAt: number }[];
  error: string | null;
  dataRemoved: boolean;
}

/**
 * @returns a new prediction in `starting`
 */
export function newPrediction(
  args: Omit<FakePrediction, 'id' | 'status' | 'polls' | 'outputs' | 'error' | 'dataRemoved'>,
): FakePrediction {
  return {
    ...args,
    id: randomBytes(10).toString('hex'),
    status: 'starting',
    polls: 0,
    outputs: [],
    error: null,
    dataRemoved: false,
  };
}

/**
 * Moves a prediction forward as far as the script and the clock allow.
 * @param context the output base URL, output lifetime and whether `Cancel-After` is enforced
 */
export async function advance(
  p: FakePrediction,
  context: { outputBase: string; outputTtlMs: number; enforceCancelAfter: boolean },
): Promise<void> {
  const now = Date.now();
  if (isTerminal(p)) {
    if (!p.dataRemoved && p.outputs.length > 0 && p.outputs.every((o) => now >= o.expiresAt))
      p.dataRemoved = true;
    return;
  }
  if (context.enforceCancelAfter && p.cancelAt !== undefined && now >= p.cancelAt) {
    end(p, p.status === 'starting' ? 'aborted' : 'canceled', now);
    return;
  }
  const { script } = p;
  const ready = p.polls >= (script.afterPolls ?? 0) && now - p.createdAt >= (script.afterMs ?? 0);
  if (!ready || script.outcome === 'never') {
    if (p.polls >= (script.startAfterPolls ?? 1)) p.status = 'processing';
    return;
  }
  const outcome = script.outcome ?? 'succeeded';
  if (outcome === 'succeeded') await addOutputs(p, context, now);
  if (outcome === 'failed') p.error = script.error ?? 'Prediction failed for an unknown reason';
  else if (outcome !== 'succeeded' && script.error) p.error = script.error;
  end(p, outcome, now);
}

/** @returns true once the prediction can no longer change status. */
export function isTerminal(p: FakePrediction): boolean {
  return !['starting', 'processing'].includes(p.status);
}

/** Ends a prediction now (cancel endpoint). */
export function end(p: FakePrediction, status: FakePrediction['status'], now = Date.now()): void {
  p.status = status;
  p.completedAt = now;
}

/**
 * The prediction object as the API returns it.
 * @param apiBase e.g. `http://127.0.0.1:1234/v1`
 */
export function toJson(p: FakePrediction, apiBase: string): Record<string, unknown> {
  const terminal = isTerminal(p);
  const urls = p.outputs.map((o) => o.url);
  const output = p.dataRemoved || urls.length === 0 ? null : p.model.outputShape === 'array' ? urls : urls[0];
  const predictTime = p.script.predictTime ?? 1.5;
  return {
    id: p.id,
    model: p.model.name,
    version: p.version ?? 'hidden',
    input: p.dataRemoved ? {} : p.input,
    logs: p.status === 'starting' ? '' : 'Running model...\n',
    output: terminal ? output : null,
    data_removed: p.dataRemoved,
    error: p.error,
    status: p.status,
    source: 'api',
    created_at: new Date(p.createdAt).toISOString(),
    started_at:
      p.status === 'starting' || p.status === 'aborted' ? null : new Date(p.createdAt).toISOString(),
    completed_at: p.completedAt ? new Date(p.completedAt).toISOString() : null,
    ...(p.cancelAt ? { deadline: new Date(p.cancelAt).toISOString() } : {}),
    metrics:
      terminal && p.status !== 'aborted' ? { predict_time: predictTime, total_time: predictTime + 0.2 } : {},
    urls: {
      get: `${apiBase}/predictions/${p.id}`,
      cancel: `${apiBase}/predictions/${p.id}/cancel`,
      web: `https://replicate.com/p/${p.id}`,
    },
  };
}

// ─── internals ────────────────────────────────────────────────────────────────

/** 120 bytes that a renderer would turn into 16,000 × 16,000 pixels. */
const SVG_BOMB =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><rect width="100%" height="100%" fill="red"/></svg>';

async function addOutputs(
  p: FakePrediction,
  context: { outputBase: string; outputTtlMs: number },
  now: number,
): Promise<void> {
  const kind = p.script.output ?? 'image';
  if (kind === 'none') return;
  const file: FakeOutput =
    kind === 'not-image'
      ? { data: Buffer.from('<html>not an image</html>'), mimeType: 'image/png', ext: 'png' }
      : kind === 'svg'
        ? { data: Buffer.from(SVG_BOMB), mimeType: 'image/png', ext: 'png' }
        : await transform(p.model, p.images, p.input);
  const expiresAt = kind === 'expired' ? now : now + context.outputTtlMs;
  const base = p.script.outputBase ?? context.outputBase;
  p.outputs.push({ url: `${base}/${p.id}/output_0.${file.ext}`, file, expiresAt });
}
