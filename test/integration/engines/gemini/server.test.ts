import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { near, pixelAt, solidImage } from '../../../support/gemini-server/images.js';
import { fault, type GeminiServer, startGeminiServer } from '../../../support/gemini-server.js';

let server: GeminiServer;
let png = '';

beforeAll(async () => {
  server = await startGeminiServer();
  png = (await solidImage([1, 2, 3], 16, 16)).data.toString('base64');
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** The fields of a reply these tests read. */
interface Reply {
  error: { code: number; message: string; status: string; details?: unknown[] };
  candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }>;
  modelVersion?: string;
  usageMetadata?: Record<string, unknown>;
}

const GEMINI = '/v1beta/models/gemini-3.1-flash-image:generateContent';
const body = (parts: unknown[], generationConfig: object = {}) =>
  JSON.stringify({ contents: [{ role: 'user', parts }], generationConfig });

async function post(
  path: string,
  payload: string,
  headers: Record<string, string> = { 'x-goog-api-key': 'k' },
) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Reply };
}

describe('startGeminiServer (the test server speaks the protocol)', () => {
  it('refuses a Gemini API call without a key with 403 PERMISSION_DENIED in Google format', async () => {
    const res = await post(GEMINI, body([{ text: 'x' }]), {});
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      error: {
        code: 403,
        message: expect.stringContaining('unregistered callers'),
        status: 'PERMISSION_DENIED',
      },
    });
  });

  it('refuses a Vertex call without credentials with 401 UNAUTHENTICATED', async () => {
    const path =
      '/v1beta1/projects/p/locations/l/publishers/google/models/gemini-3-pro-image:generateContent';
    expect((await post(path, body([{ text: 'x' }]), {})).json.error.status).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['an empty contents', JSON.stringify({ contents: [] })],
    ['a part with two data fields', body([{ text: 'x', inlineData: { mimeType: 'image/png', data: png } }])],
    ['bad base64', body([{ inlineData: { mimeType: 'image/png', data: '@@not base64@@' } }])],
    [
      'base64 that is not an image',
      body([{ inlineData: { mimeType: 'image/png', data: 'aGVsbG8gd29ybGQh' } }]),
    ],
    ['an unsupported MIME type', body([{ inlineData: { mimeType: 'image/gif', data: png } }])],
    ['a lowercase imageSize', body([{ text: 'x' }], { imageConfig: { imageSize: '1k' } })],
    ['not JSON', '{"contents": ['],
  ])('answers 400 INVALID_ARGUMENT to %s', async (_title, payload) => {
    const res = await post(GEMINI, payload);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  });

  it('answers a scripted 429 like the service: Help, QuotaFailure, RetryInfo, no Retry-After header', async () => {
    server.inject(fault.rateLimited('3.25s'));
    const res = await post(
      GEMINI,
      body([{ text: 'x' }, { inlineData: { mimeType: 'image/png', data: png } }]),
    );
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(res.json.error.message).toContain('Please retry in 3.25s.');
    const details = (res.json.error.details ?? []) as Array<Record<string, unknown>>;
    expect(details.map((d) => d['@type'])).toEqual([
      'type.googleapis.com/google.rpc.Help',
      'type.googleapis.com/google.rpc.QuotaFailure',
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    expect(details[2]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '3.25s',
    });
  });

  it('answers an out-of-range aspect ratio with the service wording, and lets 2.5 Flash Image ignore imageSize', async () => {
    const image = { inlineData: { mimeType: 'image/png', data: png } };
    const bad = await post(GEMINI, body([{ text: 'x' }, image], { imageConfig: { aspectRatio: '7:3' } }));
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^aspect_ratio must be one of \[1:1, 2:3, .*\], got "7:3"\.$/);
    const flash25 = '/v1beta/models/gemini-2.5-flash-image:generateContent';
    const ignored = await post(flash25, body([{ text: 'x' }, image], { imageConfig: { imageSize: '4K' } }));
    expect(ignored.status).toBe(200);
    const last = ignored.json.candidates[0]?.content.parts.at(-1) as { inlineData?: { mimeType?: string } };
    expect(last.inlineData?.mimeType).toBe('image/png');
  });

  it('answers a valid call with an image part carrying a thought signature, usage and model version', async () => {
    const res = await post(
      GEMINI,
      body([{ text: 'x' }, { inlineData: { mimeType: 'image/png', data: png } }]),
    );
    expect(res.status).toBe(200);
    const parts = res.json.candidates[0]?.content.parts ?? [];
    expect(parts.at(-1)).toMatchObject({ inlineData: { mimeType: 'image/jpeg' } });
    // Signatures are large and also sit on the text part before the image.
    for (const part of parts as Array<{ thoughtSignature?: string }>) {
      expect(part.thoughtSignature?.length).toBeGreaterThan(300_000);
    }
    expect(res.json).toMatchObject({
      modelVersion: 'gemini-3.1-flash-image',
      usageMetadata: {
        totalTokenCount: expect.any(Number),
        serviceTier: 'standard',
        candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1120 }],
      },
    });
    expect(server.calls[0]).toMatchObject({
      reply: 'ok',
      status: 200,
      model: 'gemini-3.1-flash-image',
      backend: 'gemini-api',
    });
  });

  it('answers a scripted redraw with image 1 kept, moved and recoloured, in the usual reply shape', async () => {
    // A red 16 × 16 square at (8, 8) on a white 64 × 64 canvas; the 512 px output scales it by 8.
    const square = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const canvas = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
      .composite([{ input: square, left: 8, top: 8 }])
      .png()
      .toBuffer();
    const image = { inlineData: { mimeType: 'image/png', data: canvas.toString('base64') } };
    const config = { imageConfig: { imageSize: '512', aspectRatio: '1:1' }, seed: 5 };
    server.script(fault.kept(), fault.moved(40, 16), fault.recoloured(180));
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await post(GEMINI, body([{ text: 'x' }, image], config)));
    const images = replies.map((r) => {
      const parts = (r.json.candidates[0]?.content.parts ?? []) as Array<{
        text?: string;
        thoughtSignature?: string;
        inlineData?: { mimeType: string; data: string };
      }>;
      expect(parts.map((p) => [typeof p.text, p.inlineData?.mimeType, typeof p.thoughtSignature])).toEqual([
        ['string', undefined, 'string'],
        ['undefined', 'image/jpeg', 'string'],
      ]);
      return Buffer.from(parts[1]?.inlineData?.data ?? '', 'base64');
    });
    expect(server.calls.map((c) => c.reply)).toEqual(['redraw', 'redraw', 'redraw']);
    const [kept, moved, recoloured] = images as [Buffer, Buffer, Buffer];
    expect((await sharp(kept).metadata()).width).toBe(512);
    // Kept: the square where it was sent, not inverted.
    expect(near(await pixelAt(kept, 70, 70), [255, 0, 0])).toBe(true);
    expect(near(await pixelAt(kept, 30, 30), [255, 255, 255])).toBe(true);
    // Moved 40 px right and 16 down: its old top-left corner is the canvas' white, the square is further on.
    expect(near(await pixelAt(moved, 70, 70), [255, 255, 255])).toBe(true);
    expect(near(await pixelAt(moved, 110, 86), [255, 0, 0])).toBe(true);
    expect(near(await pixelAt(moved, 228, 204), [255, 0, 0])).toBe(true);
    // Recoloured: the red square is another, still saturated colour, in place; the white canvas stays.
    const turned = await pixelAt(recoloured, 70, 70);
    expect(turned[0]).toBeLessThan(128);
    expect(Math.max(...turned) - Math.min(...turned)).toBeGreaterThan(60);
    expect(near(await pixelAt(recoloured, 30, 30), [255, 255, 255])).toBe(true);

    // 2.5 Flash Image answers PNG, as for every other reply.
    server.inject(fault.moved(8));
    const flash25 = await post(
      '/v1beta/models/gemini-2.5-flash-image:generateContent',
      body([{ text: 'x' }, image]),
    );
    const last = flash25.json.candidates[0]?.content.parts.at(-1) as { inlineData?: { mimeType?: string } };
    expect(last.inlineData?.mimeType).toBe('image/png');
  });
});
