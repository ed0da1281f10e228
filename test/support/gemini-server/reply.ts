import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GeminiFault } from './faults.js';
import { type GeminiRoute, googleError } from './protocol.js';
import { outputMimeType, renderEdit, renderThought, usageFor } from './render.js';
import { thoughtSignature } from './signature.js';
import type { ValidRequest } from './validate.js';

/** What a reply needs to know about the call it answers. */
export interface ReplyContext {
  req: IncomingMessage;
  res: ServerResponse;
  route: GeminiRoute;
  request: ValidRequest;
  /** The call record; `status` is set here. */
  call: { status?: number | undefined };
  /** Sequence number of the reply, for `responseId` and `thoughtSignature`. */
  n: number;
}

/**
 * Answers a validated call with a fault or, for `ok`/`thoughts`/`finish`/`redraw`, with the rendered edit.
 * @param f the fault to answer with
 * @param ctx the call
 */
export async function replyWith(f: GeminiFault, ctx: ReplyContext): Promise<void> {
  const { res, route, request, call } = ctx;
  const model = route.model;
  const done = (body: unknown) => {
    call.status = 200;
    sendJson(res, 200, body);
  };
  switch (f.kind) {
    case 'error': {
      const reply = googleError(f.status, f.message, f.details);
      call.status = f.status;
      const headers = f.retryAfterSeconds ? { 'retry-after': String(f.retryAfterSeconds) } : undefined;
      return sendJson(res, f.status, reply.body, headers);
    }
    case 'non-json-error':
      call.status = f.status;
      res.writeHead(f.status, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(f.body ?? `<html><body><h1>${f.status}</h1>That’s an error.</body></html>`);
      return;
    case 'drop':
      ctx.req.socket.destroy();
      return;
    case 'malformed-json':
      call.status = 200;
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end('{"candidates": [{"content": {"parts": [{"inlineData": ');
      return;
    case 'blocked':
      return done({
        promptFeedback: { blockReason: f.reason, ...(f.message ? { blockReasonMessage: f.message } : {}) },
        usageMetadata: usageFor(request, model, { backend: route.backend, blocked: true }),
        modelVersion: model,
        responseId: `resp-${ctx.n}`,
      });
    case 'refused':
      return done({
        candidates: [
          {
            content: {},
            finishReason: f.finishReason,
            ...(f.finishMessage ? { finishMessage: f.finishMessage } : {}),
            index: 0,
          },
        ],
        usageMetadata: usageFor(request, model, { backend: route.backend, blocked: true }),
        modelVersion: model,
        responseId: `resp-${ctx.n}`,
      });
    case 'no-parts':
      return done(_envelope(ctx, { role: 'model' }, f.finishReason ?? 'SAFETY', true));
    case 'text-only':
      return done(
        _envelope(ctx, { role: 'model', parts: [{ text: f.text ?? 'I cannot edit this image.' }] }, 'STOP'),
      );
    case 'bad-image': {
      const data = Buffer.from('this is not an image, whatever the mime type says').toString('base64');
      return done(
        _envelope(ctx, { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data } }] }, 'STOP'),
      );
    }
    default:
      break;
  }
  const out = await renderEdit(request, model, f.kind === 'redraw' ? f : undefined);
  const mimeType = outputMimeType(model);
  const parts: unknown[] = [];
  const thinking = (request.generationConfig.thinkingConfig ?? {}) as { includeThoughts?: boolean };
  if (f.kind === 'thoughts' && thinking.includeThoughts === true) {
    const thought = (await renderThought(out.width, out.height, mimeType)).toString('base64');
    parts.push({ text: 'Considering the composition.', thought: true });
    for (let i = 0; i < (f.count ?? 2); i++)
      parts.push({ inlineData: { mimeType, data: thought }, thought: true });
  }
  // Signatures sit on the first non-thought part and on every non-thought image, never on thoughts.
  const text = f.kind === 'finish' ? (f.text ?? '') : 'Here is the edited image.';
  if (text) parts.push({ text, thoughtSignature: thoughtSignature(ctx.n, 0) });
  const withImage = f.kind !== 'finish' || f.image === true;
  if (withImage) {
    parts.push({
      inlineData: { mimeType, data: out.data.toString('base64') },
      thoughtSignature: thoughtSignature(ctx.n, 1),
    });
  }
  const finishReason = f.kind === 'finish' ? f.finishReason : 'STOP';
  return done(_envelope(ctx, { role: 'model', parts }, finishReason));
}

function _envelope(ctx: ReplyContext, content: unknown, finishReason: string, blocked = false) {
  return {
    candidates: [{ content, finishReason, index: 0 }],
    usageMetadata: usageFor(ctx.request, ctx.route.model, { backend: ctx.route.backend, blocked }),
    modelVersion: ctx.route.model,
    responseId: `resp-${ctx.n}`,
  };
}

/**
 * Sends a JSON body with Google's content type.
 * @param headers extra headers (e.g. `retry-after`)
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(text);
}
