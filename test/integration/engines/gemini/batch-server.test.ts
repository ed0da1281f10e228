import { GoogleGenAI, type InlinedRequest } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_EXPIRY_MS } from '../../../support/gemini-server/batches.js';
import { solidImage } from '../../../support/gemini-server/images.js';
import { type GeminiServer, startGeminiServer } from '../../../support/gemini-server.js';

const MODEL = 'gemini-3.1-flash-image';

async function requests(keys: string[]): Promise<InlinedRequest[]> {
  const data = (await solidImage([200, 40, 40], 64, 48)).data.toString('base64');
  return keys.map((key) => ({
    contents: [
      {
        role: 'user',
        parts: [{ text: 'Invert the colours.' }, { inlineData: { mimeType: 'image/png', data } }],
      },
    ],
    config: { responseModalities: ['TEXT', 'IMAGE'], seed: 7 },
    metadata: { key },
  }));
}

describe('Gemini test server: Batch Mode as @google/genai 2.32.0 calls it', () => {
  let t = 1_800_000_000_000;
  let server: GeminiServer;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => t });
    ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('creates an inline batch, moves PENDING → RUNNING → SUCCEEDED on the clock, and answers by key', async () => {
    const job = await ai.batches.create({
      model: MODEL,
      src: await requests(['a', 'b']),
      config: { displayName: 'darkroom-1' },
    });
    expect(job).toMatchObject({
      displayName: 'darkroom-1',
      state: 'JOB_STATE_PENDING',
      model: `models/${MODEL}`,
    });
    expect(job.name).toMatch(/^batches\//);
    const name = job.name as string;
    const create = server.calls.find((c) => c.path.endsWith(':batchGenerateContent'));
    expect(create?.path).toBe(`/v1beta/models/${MODEL}:batchGenerateContent`);
    expect(create?.body).toMatchObject({
      batch: {
        displayName: 'darkroom-1',
        inputConfig: { requests: { requests: [{ metadata: { key: 'a' } }, { metadata: { key: 'b' } }] } },
      },
    });
    t += 61_000;
    expect((await ai.batches.get({ name })).state).toBe('JOB_STATE_RUNNING');
    t += 120_000;
    const done = await ai.batches.get({ name });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses.map((r) => r.metadata?.key)).toEqual(['a', 'b']);
    const part = responses[0]?.response?.candidates?.[0]?.content?.parts?.find((p) => p.inlineData);
    expect(part?.inlineData?.mimeType).toMatch(/^image\//);
  });

  it('fails one request inside a batch with its own error', async () => {
    server.batches.failMember('b', {
      kind: 'request-error',
      code: 400,
      message: 'Request contains an invalid argument.',
    });
    const job = await ai.batches.create({
      model: MODEL,
      src: await requests(['a', 'b']),
      config: { displayName: 'x' },
    });
    t += 200_000;
    const done = await ai.batches.get({ name: job.name as string });
    const [a, b] = done.dest?.inlinedResponses ?? [];
    expect(a?.response?.candidates?.length).toBe(1);
    expect(b).toMatchObject({
      error: { code: 400, message: 'Request contains an invalid argument.' },
      metadata: { key: 'b' },
    });
  });

  it('keeps a batch pending until it expires after 48 hours, with no results', async () => {
    server.batches.stayPendingNext();
    const job = await ai.batches.create({
      model: MODEL,
      src: await requests(['a']),
      config: { displayName: 'slow' },
    });
    t += 24 * 3600_000;
    expect((await ai.batches.get({ name: job.name as string })).state).toBe('JOB_STATE_PENDING');
    t += BATCH_EXPIRY_MS;
    const expired = await ai.batches.get({ name: job.name as string });
    expect(expired.state).toBe('JOB_STATE_EXPIRED');
    expect(expired.dest).toBeUndefined();
  });

  it('loses a create answer: the SDK throws, the batch exists, and a listing finds it by display name', async () => {
    server.batches.loseNextCreateAnswer();
    await expect(
      ai.batches.create({ model: MODEL, src: await requests(['a']), config: { displayName: 'lost-1' } }),
    ).rejects.toThrow();
    expect(server.batches.batches.size).toBe(1);
    const found: string[] = [];
    for await (const b of await ai.batches.list({ config: { pageSize: 1 } })) found.push(b.displayName ?? '');
    expect(found).toEqual(['lost-1']);
  });

  it('pages a listing and ends without a nextPageToken; cancels and deletes', async () => {
    for (const n of [1, 2, 3]) {
      await ai.batches.create({
        model: MODEL,
        src: await requests([`k${n}`]),
        config: { displayName: `b${n}` },
      });
      t += 1;
    }
    const names: string[] = [];
    for await (const b of await ai.batches.list({ config: { pageSize: 2 } })) names.push(b.displayName ?? '');
    expect(names).toEqual(['b3', 'b2', 'b1']);
    const [first] = [...server.batches.batches.values()];
    const name = `batches/${first?.id}`;
    await ai.batches.cancel({ name });
    expect((await ai.batches.get({ name })).state).toBe('JOB_STATE_CANCELLED');
    await ai.batches.delete({ name });
    await expect(ai.batches.get({ name })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses what the service refuses: a missing display name, an unknown model, a bad request', async () => {
    await expect(
      ai.batches.create({ model: MODEL, src: await requests(['a']), config: { displayName: '' } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      ai.batches.create({
        model: 'gemini-9-image',
        src: await requests(['a']),
        config: { displayName: 'x' },
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      ai.batches.create({
        model: MODEL,
        src: [{ contents: [{ role: 'user', parts: [] }] }],
        config: { displayName: 'x' },
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(server.batches.batches.size).toBe(0);
  });
});
