import { CRC32C } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcsServer, startGcsServer } from '../../support/gcs-server/index.js';

let gcs: GcsServer;
beforeAll(async () => {
  gcs = await startGcsServer({ autoCreateBuckets: false });
  gcs.createBucket('b');
});
afterAll(() => gcs.close());

const objectUrl = (name: string, query = '') =>
  `${gcs.url}/storage/v1/b/b/o/${encodeURIComponent(name)}${query}`;

describe('startGcsServer', () => {
  it('answers a missing object with GCS error bodies: JSON for metadata, text for media', async () => {
    const meta = await fetch(objectUrl('no such.png'));
    expect(meta.status).toBe(404);
    expect(meta.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await meta.json()).toEqual({
      error: {
        code: 404,
        message: 'No such object: b/no such.png',
        errors: [{ message: 'No such object: b/no such.png', domain: 'global', reason: 'notFound' }],
      },
    });
    const media = await fetch(objectUrl('no such.png', '?alt=media'));
    expect(media.status).toBe(404);
    expect(await media.text()).toBe('No such object: b/no such.png');
  });

  it('refuses unknown buckets when auto-creation is off', async () => {
    const res = await fetch(`${gcs.url}/b/nope/o`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'The specified bucket does not exist.',
    );
  });

  it('creates with a media upload and answers ifGenerationMatch=0 on an existing object with 412', async () => {
    const upload = (query: string) =>
      fetch(
        `${gcs.url}/upload/storage/v1/b/b/o?uploadType=media&name=${encodeURIComponent('m/ä+b.txt')}${query}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: 'hello',
        },
      );
    const created = await upload('&ifGenerationMatch=0');
    const resource = (await created.json()) as Record<string, unknown>;
    expect(resource).toMatchObject({
      name: 'm/ä+b.txt',
      size: '5',
      metageneration: '1',
      contentType: 'text/plain',
    });
    expect(resource.generation).toMatch(/^\d{16}$/);
    const crc = new CRC32C();
    crc.update(Buffer.from('hello'));
    expect(resource.crc32c).toBe(crc.toString());
    const again = await upload('&ifGenerationMatch=0');
    expect(again.status).toBe(412);
    expect(
      ((await again.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]?.reason,
    ).toBe('conditionNotMet');
  });

  it('reports CRC32C and MD5 as the client computes them, in the resource and x-goog-hash', async () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    const stored = gcs.putObject('b', 'hash.txt', data);
    const crc = new CRC32C();
    crc.update(data);
    expect(stored.crc32c).toBe(crc.toString());
    const media = await fetch(objectUrl('hash.txt', `?alt=media&generation=${stored.generation}`));
    expect(media.headers.get('x-goog-hash')).toBe(`crc32c=${crc.toString()},md5=${stored.md5Hash}`);
    expect(Buffer.from(await media.arrayBuffer()).equals(data)).toBe(true);
  });

  it('gives every write a larger, unique generation and retires the old one', async () => {
    const first = gcs.putObject('b', 'gen.txt', 'a');
    const second = gcs.putObject('b', 'gen.txt', 'b');
    expect(BigInt(second.generation) > BigInt(first.generation)).toBe(true);
    expect((await fetch(objectUrl('gen.txt', `?generation=${first.generation}`))).status).toBe(404);
    expect((await fetch(objectUrl('gen.txt', `?generation=${second.generation}`))).status).toBe(200);
  });

  it('lists with prefix, delimiter and page tokens in name order', async () => {
    for (const name of ['l/c', 'l/a', 'l/sub/x', 'l/sub/y', 'l/b']) gcs.putObject('b', name, name);
    const pages: unknown[] = [];
    let token: string | undefined;
    do {
      const query = `?prefix=l/&delimiter=/&maxResults=2${token ? `&pageToken=${token}` : ''}`;
      const body = (await (await fetch(`${gcs.url}/b/b/o${query}`)).json()) as {
        items?: Array<{ name: string }>;
        prefixes?: string[];
        nextPageToken?: string;
      };
      pages.push([body.items?.map((i) => i.name) ?? [], body.prefixes ?? []]);
      token = body.nextPageToken;
    } while (token);
    expect(pages).toEqual([
      [['l/a', 'l/b'], []],
      [['l/c'], ['l/sub/']],
    ]);
  });

  it('filters a listing by matchGlob before paging, so every page holds matches only', async () => {
    for (const name of ['g/a.json', 'g/1.png', 'g/2.png', 'g/b.json', 'g/3.png', 'g/s/c.json', 'g/c.json']) {
      gcs.putObject('b', name, name);
    }
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const glob = encodeURIComponent('g/*.json');
      const query = `?prefix=g/&matchGlob=${glob}&maxResults=2${token ? `&pageToken=${token}` : ''}`;
      const body = (await (await fetch(`${gcs.url}/b/b/o${query}`)).json()) as {
        items?: Array<{ name: string }>;
        nextPageToken?: string;
      };
      pages.push(body.items?.map((i) => i.name) ?? []);
      token = body.nextPageToken;
    } while (token);
    expect(pages).toEqual([['g/a.json', 'g/b.json'], ['g/c.json']]);
  });

  it('answers an unclosed "[" or "{" in matchGlob with a 400 invalid error body', async () => {
    for (const glob of ['g/[ab', 'g/{a,b']) {
      const res = await fetch(`${gcs.url}/b/b/o?matchGlob=${encodeURIComponent(glob)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: number; errors: Array<{ reason: string }> } };
      expect(body.error.code).toBe(400);
      expect(body.error.errors[0]?.reason).toBe('invalid');
    }
  });

  it('runs a resumable session: start, partial chunk (308 + Range), status query, final chunk', async () => {
    const start = await fetch(`${gcs.url}/upload/storage/v1/b/b/o?uploadType=resumable&name=r.bin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Upload-Content-Type': 'application/x-test' },
      body: JSON.stringify({ metadata: { k: 'v' } }),
    });
    const session = start.headers.get('location') ?? '';
    expect(session).toContain('upload_id=');
    const data = Buffer.alloc(300 * 1024, 1);
    const put = (range: string, body?: Buffer) =>
      fetch(session, {
        method: 'PUT',
        headers: { 'Content-Range': range },
        body: body ? new Uint8Array(body) : null,
      });
    const partial = await put(`bytes 0-${data.length - 1}/*`, data);
    // Only whole 256 KiB units of a non-final chunk are kept.
    expect([partial.status, partial.headers.get('range')]).toEqual([308, 'bytes=0-262143']);
    const status = await put('bytes */*');
    expect([status.status, status.headers.get('range')]).toEqual([308, 'bytes=0-262143']);
    const done = await put(`bytes 262144-${data.length - 1}/${data.length}`, data.subarray(262144));
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      size: String(data.length),
      contentType: 'application/x-test',
      metadata: { k: 'v' },
    });
    expect(gcs.getObject('b', 'r.bin')?.data.equals(data)).toBe(true);
  });

  it('fails requests on demand, before or after applying them', async () => {
    gcs.failNext(1, 503, { method: 'DELETE' });
    gcs.putObject('b', 'f.txt', 'x');
    const failed = await fetch(objectUrl('f.txt'), { method: 'DELETE' });
    expect(failed.status).toBe(503);
    expect(gcs.getObject('b', 'f.txt')).toBeDefined();
    gcs.failNext(1, 503, { method: 'DELETE', afterApply: true });
    expect((await fetch(objectUrl('f.txt'), { method: 'DELETE' })).status).toBe(503);
    expect(gcs.getObject('b', 'f.txt')).toBeUndefined();
    expect((await fetch(objectUrl('f.txt'), { method: 'DELETE' })).status).toBe(404);
  });
});
