import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GeminiFault } from './faults.js';
import { type GeminiRoute, googleError, retryInfo } from './protocol.js';
import { renderEdit, renderThought, usageFor } from './render.js';
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
 * Answers a validated call with a fault or, for `ok`/`thoughts`/`finish`, with the rendered edit.
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
      const details = f.retryDelay ? [retryInfo(f.retryDelay)] : undefined;
      const reply = googleError(f.status, f.message, details);
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
        usageMetadata: { promptTokenCount: 300, totalTokenCount: 300 },
        modelVersion: model,
        responseId: `resp-${ctx.n}`,
      });
    case 'no-parts':
      return done(_envelope(ctx, { role: 'model' }, f.finishReason ?? 'SAFETY'));
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
  const out = await renderEdit(request, model);
  const parts: unknown[] = [];
  if (f.kind === 'thoughts') {
    const thought = (await renderThought(out.width, out.height)).toString('base64');
    parts.push({ text: 'Considering the composition.', thought: true });
    for (let i = 0; i < (f.count ?? 2); i++)
      parts.push({ inlineData: { mimeType: 'image/png', data: thought }, thought: true });
  }
  const text = f.kind === 'finish' ? (f.text ?? '') : 'Here is the edited image.';
  if (text) parts.push({ text });
  const withImage = f.kind !== 'finish' || f.image === true;
  if (withImage) {
    parts.push({
      inlineData: { mimeType: 'image/png', data: out.data.toString('base64') },
      thoughtSignature: `sig-${ctx.n}`,
    });
  }
  const finishReason = f.kind === 'finish' ? f.finishReason : 'STOP';
  return done(_envelope(ctx, { role: 'model', parts }, finishReason));
}

function _envelope(ctx: ReplyContext, content: unknown, finishReason: string) {
  return {
    candidates: [{ content, finishReason, index: 0 }],
    usageMetadata: usageFor(ctx.request, ctx.route.model),
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
