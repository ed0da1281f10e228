import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FILE_MAX_BYTES, FILE_TTL_MS } from '../../../support/gemini-server/files.js';
import { solidImage } from '../../../support/gemini-server/images.js';
import { type GeminiServer, startGeminiServer } from '../../../support/gemini-server.js';

const MODEL = 'gemini-3.1-flash-image';

async function jsonl(keys: string[]): Promise<string> {
  const data = (await solidImage([40, 200, 40], 64, 48)).data.toString('base64');
  return keys
    .map((key) =>
      JSON.stringify({
        key,
        request: {
          contents: [
            {
              role: 'user',
              parts: [{ text: 'Invert the colours.' }, { inlineData: { mimeType: 'image/png', data } }],
            },
          ],
          generationConfig: { responseModalities: ['TEXT', 'IMAGE'], seed: 3 },
        },
      }),
    )
    .join('\n');
}

describe('Gemini test server: the Files API and file-source batches as @google/genai 2.32.0 calls them', () => {
  let t = 1_800_000_000_000;
  let server: GeminiServer;
  let ai: GoogleGenAI;
  let dir: string;
  beforeAll(async () => {
    server = await startGeminiServer({ apiKey: 'test-key', now: () => t });
    ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
    dir = await mkdtemp(join(tmpdir(), 'darkroom-files-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  it('uploads in resumable chunks under a chosen name, then gets, downloads and deletes the file', async () => {
    // Over the SDK's 8 MB chunk: two `upload` requests, the second with `finalize`.
    const text = `${'x'.repeat(9 * 1024 * 1024)}\n`;
    const file = await ai.files.upload({
      file: new Blob([text]),
      config: { name: 'files/darkroom-abc', mimeType: 'jsonl', displayName: 'darkroom-abc' },
    });
    expect(file).toMatchObject({
      name: 'files/darkroom-abc',
      sizeBytes: String(text.length),
      state: 'ACTIVE',
    });
    const chunks = server.calls.filter((c) => c.path === '/upload/v1beta/files');
    expect(chunks.map((c) => c.headers['x-goog-upload-command'])).toEqual([
      'start',
      'upload',
      'upload, finalize',
    ]);
    expect((await ai.files.get({ name: 'files/darkroom-abc' })).sizeBytes).toBe(String(text.length));
    const downloadPath = join(dir, 'a.jsonl');
    await ai.files.download({ file: 'files/darkroom-abc', downloadPath });
    expect((await readFile(downloadPath, 'utf8')).length).toBe(text.length);
    await ai.files.delete({ name: 'files/darkroom-abc' });
    await expect(ai.files.get({ name: 'files/darkroom-abc' })).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a name that exists (409), a bad name and a file over 2 GB (400), and forgets files after 48 h', async () => {
    await ai.files.upload({ file: new Blob(['{}\n']), config: { name: 'files/one', mimeType: 'jsonl' } });
    const again = ai.files.upload({
      file: new Blob(['{}\n']),
      config: { name: 'files/one', mimeType: 'jsonl' },
    });
    await expect(again).rejects.toBeInstanceOf(ApiError);
    await expect(again).rejects.toMatchObject({ status: 409 });
    await expect(
      ai.files.upload({ file: new Blob(['{}\n']), config: { name: 'files/Bad_Name', mimeType: 'jsonl' } }),
    ).rejects.toMatchObject({ status: 400 });
    server.files.inflateSizes(FILE_MAX_BYTES);
    await expect(
      ai.files.upload({ file: new Blob(['{}\n']), config: { name: 'files/big', mimeType: 'jsonl' } }),
    ).rejects.toMatchObject({ status: 400 });
    server.files.inflateSizes(0);
    t += FILE_TTL_MS + 1;
    await expect(ai.files.get({ name: 'files/one' })).rejects.toMatchObject({ status: 403 });
  });

  it('creates a batch from an uploaded JSONL file and answers with a responses file matched by key', async () => {
    const file = await ai.files.upload({
      file: new Blob([await jsonl(['k1', 'k2'])]),
      config: { name: 'files/input-1', mimeType: 'jsonl' },
    });
    server.batches.failMember('k2', { kind: 'request-error', code: 400, message: 'Bad request inside.' });
    const job = await ai.batches.create({
      model: MODEL,
      src: file.name as string,
      config: { displayName: 'd-1' },
    });
    expect(server.calls.find((c) => c.path.endsWith(':batchGenerateContent'))?.body).toEqual({
      batch: { displayName: 'd-1', inputConfig: { fileName: 'files/input-1' } },
    });
    t += 200_000;
    const done = await ai.batches.get({ name: job.name as string });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    expect(done.dest?.fileName).toMatch(/^files\/batch-/);
    expect(done.dest?.inlinedResponses).toBeUndefined();
    const downloadPath = join(dir, 'out.jsonl');
    await ai.files.download({ file: done.dest?.fileName as string, downloadPath });
    const lines = (await readFile(downloadPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.key)).toEqual(['k1', 'k2']);
    expect(
      lines[0].response.candidates[0].content.parts.some((p: { inlineData?: unknown }) => p.inlineData),
    ).toBe(true);
    expect(lines[1].error).toEqual({ code: 400, message: 'Bad request inside.' });
  });

  it('refuses a batch from a file that does not exist', async () => {
    await expect(
      ai.batches.create({ model: MODEL, src: 'files/missing', config: { displayName: 'd-2' } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
