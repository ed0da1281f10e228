import { describe, expect, it } from 'vitest';
import {
  capturingFetch,
  finishMessageOf,
  type RawReplyCapture,
} from '../../../../shared/engines/gemini/raw-reply.js';

const reply = (status: number, body: string) =>
  (async () =>
    new Response(body, {
      status,
      headers: { 'content-type': 'application/json', 'x-test': 'kept' },
    })) as typeof fetch;

describe('capturingFetch', () => {
  it('keeps finishMessage of a 2xx reply and hands back the same status, headers and body', async () => {
    const body = JSON.stringify({
      candidates: [{ content: {}, finishReason: 'IMAGE_OTHER', finishMessage: 'Not shown.' }],
    });
    const capture: RawReplyCapture = {};
    const res = await capturingFetch(capture, reply(200, body))('http://127.0.0.1/x', { method: 'POST' });
    expect(capture.finishMessage).toBe('Not shown.');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-test')).toBe('kept');
    expect(await res.text()).toBe(body);
  });

  it('leaves an error reply untouched and unread, for the SDK to turn into ApiError', async () => {
    const capture: RawReplyCapture = {};
    const res = await capturingFetch(capture, reply(429, '{"error":{"code":429}}'))('http://127.0.0.1/x', {});
    expect(res.bodyUsed).toBe(false);
    expect(res.status).toBe(429);
    expect(capture).toEqual({});
  });
});

describe('finishMessageOf', () => {
  it.each([
    ['{"candidates":[{"finishMessage":"why"}]}', 'why'],
    ['{"candidates":[{"finishReason":"STOP"}]}', undefined],
    ['{"promptFeedback":{"blockReason":"SAFETY"}}', undefined],
    ['{"candidates": [', undefined],
  ])('reads %s as %s', (body, expected) => {
    expect(finishMessageOf(body)).toBe(expected);
  });
});
