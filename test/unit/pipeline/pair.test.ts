import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { findRecipe, type Pairing, pairObject } from '../../../shared/pipeline/pair.js';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import type { ObjectInfo, ObjectStore } from '../../../shared/storage/object-store.js';

const BUCKET = 'drop';
// Pairing only reads names and sidecars: the image bytes need not decode.
const IMAGE_BYTES = Buffer.from('not decoded by pairing');

let root: string;
let store: ObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'darkroom-pair-'));
  store = createFsObjectStore({ buckets: { [BUCKET]: root } });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a file into the drop folder (objects are JSON-serialized) and returns its ObjectInfo. */
async function put(name: string, content: Buffer | string | object = IMAGE_BYTES): Promise<ObjectInfo> {
  const path = join(root, name);
  await mkdir(dirname(path), { recursive: true });
  const data = Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content);
  await writeFile(path, data);
  const info = await store.stat({ bucket: BUCKET, name });
  if (!info) throw new Error(`could not stat ${name}`);
  return info;
}

const pair = (arrival: ObjectInfo) => pairObject(arrival, { store, maxRequestBytes: 64 * 1024 });

function expectJob(pairing: Pairing): Extract<Pairing, { kind: 'job' }> {
  if (pairing.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(pairing)}`);
  return pairing;
}

function expectKind<K extends Pairing['kind']>(pairing: Pairing, kind: K): Extract<Pairing, { kind: K }> {
  if (pairing.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(pairing)}`);
  return pairing as Extract<Pairing, { kind: K }>;
}

describe('pairObject', () => {
  it('waits when an image arrives first, and pairs when its sidecar follows', async () => {
    const image = await put('a/b/photo.jpg');
    expect(expectKind(await pair(image), 'wait').reason).toMatch(/no sidecar or recipe/);
    const sidecar = await put('a/b/photo.json', { prompt: 'warmer' });
    const job = expectJob(await pair(sidecar));
    expect(job.image.name).toBe('a/b/photo.jpg');
    expect(job.image.generation).toBe(image.generation);
    expect(job.request.name).toBe('a/b/photo.json');
    expect(job.requestKind).toBe('sidecar');
    expect(job.parsed.kind).toBe('request');
  });

  it('waits when a sidecar arrives first, and pairs when its image follows', async () => {
    const sidecar = await put('a/photo.json', { prompt: 'warmer' });
    expect(expectKind(await pair(sidecar), 'wait').reason).toBe('no image named "photo.*" has arrived');
    const image = await put('a/photo.png');
    const job = expectJob(await pair(image));
    expect(job.request.name).toBe('a/photo.json');
    expect(job.request.generation).toBe(sidecar.generation);
  });

  it('pairs both arrivals of the same pair to the same inputs', async () => {
    const image = await put('p.jpg');
    const sidecar = await put('p.json', { prompt: 'warmer' });
    const fromImage = expectJob(await pair(image));
    const fromSidecar = expectJob(await pair(sidecar));
    expect([fromImage.image.name, fromImage.request.name]).toEqual([
      fromSidecar.image.name,
      fromSidecar.request.name,
    ]);
  });

  it('does not pair a sidecar with an image of another folder or stem', async () => {
    await put('a/photo-2.jpg');
    await put('b/photo.jpg');
    const sidecar = await put('a/photo.json', { prompt: 'warmer' });
    expectKind(await pair(sidecar), 'wait');
  });

  it('pairs a sidecar whose "image" names another file', async () => {
    const image = await put('shoot/IMG_0001.jpg');
    const sidecar = await put('shoot/edit.json', { prompt: 'warmer', image: 'IMG_0001.jpg' });
    const fromSidecar = expectJob(await pair(sidecar));
    expect(fromSidecar.image.name).toBe('shoot/IMG_0001.jpg');
    const fromImage = expectJob(await pair(image));
    expect(fromImage.request.name).toBe('shoot/edit.json');
  });

  it('waits while the image a sidecar names has not arrived', async () => {
    const sidecar = await put('shoot/edit.json', { prompt: 'warmer', image: 'IMG_0002.jpg' });
    expect(expectKind(await pair(sidecar), 'wait').reason).toMatch(
      /"shoot\/IMG_0002\.jpg" named by the sidecar/,
    );
  });

  it('refuses an "image" that escapes the folder', async () => {
    const sidecar = await put('shoot/edit.json', { prompt: 'warmer', image: '../other/IMG.jpg' });
    const invalid = expectKind(await pair(sidecar), 'invalid');
    expect(invalid.error.code).toBe('REFERENCE_INVALID');
  });

  it('refuses an "image" in a subfolder, before and after the image arrives', async () => {
    const sidecar = await put('shoot/edit.json', { prompt: 'warmer', image: 'raw/IMG.jpg' });
    const before = expectKind(await pair(sidecar), 'invalid');
    expect(before.error.issues).toEqual([
      'image: "raw/IMG.jpg" is in another folder; a sidecar names an image in its own folder (move the sidecar beside the image)',
    ]);
    const image = await put('shoot/raw/IMG.jpg');
    expect(expectKind(await pair(sidecar), 'invalid').error.code).toBe('REFERENCE_INVALID');
    expectKind(await pair(image), 'wait');
  });

  it("does not treat a same-stem sidecar that names another image as the image's sidecar", async () => {
    await put('shoot/other.jpg');
    const image = await put('shoot/photo.jpg');
    await put('shoot/photo.json', { prompt: 'warmer', image: 'other.jpg' });
    expectKind(await pair(image), 'wait');
  });

  it('refuses a sidecar matching several images of the same stem', async () => {
    const jpg = await put('p.jpg');
    const png = await put('p.png');
    const sidecar = await put('p.json', { prompt: 'warmer' });
    for (const arrival of [sidecar, jpg, png]) {
      const invalid = expectKind(await pair(arrival), 'invalid');
      expect(invalid.error.code).toBe('REFERENCE_INVALID');
      expect(invalid.error.issues).toEqual([
        'image: several files match the sidecar ("p.jpg", "p.png"); name one with "image"',
      ]);
      expect(invalid.request.name).toBe('p.json');
    }
  });

  it('finds the one naming sidecar of a folder of many images, whose name holds glob metacharacters', async () => {
    const folder = 'cat [2024] {a,b} *?\\/';
    const images = [];
    for (let i = 0; i < 48; i++) images.push(await put(`${folder}IMG_${String(i).padStart(4, '0')}.jpg`));
    await put(`${folder}_recipe.json`, { prompt: 'warmer' });
    await put(`${folder}edit.JSON`, { prompt: 'cooler', image: 'IMG_0007.jpg' });
    await put(`${folder}sub/deep.json`, { prompt: 'x', image: '../IMG_0008.jpg' });
    const listed: number[] = [];
    const counting: ObjectStore = {
      ...store,
      list: async (bucket, prefix, options) => {
        const found = await store.list(bucket, prefix, options);
        listed.push(found.length);
        return found;
      },
    };
    const requests = [];
    for (const image of images) {
      const job = expectJob(await pairObject(image, { store: counting, maxRequestBytes: 64 * 1024 }));
      requests.push(`${job.image.name.slice(folder.length)} ${job.request.name.slice(folder.length)}`);
    }
    expect(requests.filter((r) => !r.endsWith(' _recipe.json'))).toEqual(['IMG_0007.jpg edit.JSON']);
    // Each listing held the folder's own .json files (the recipe and the sidecar), not its images.
    expect(listed).toEqual(images.map(() => 2));
  });

  it('pairs one of several same-stem images when the sidecar names it', async () => {
    await put('p.jpg');
    const png = await put('p.png');
    await put('p.json', { prompt: 'warmer', image: 'p.png' });
    expect(expectJob(await pair(png)).request.name).toBe('p.json');
  });

  it.each([
    ['a library file', '_wall.png', /library file/],
    ['another sidecar', 'other.json', /a sidecar/],
  ])('refuses an "image" that names %s', async (_what, named, reason) => {
    await put(`shop/${named}`, { prompt: 'x' });
    const sidecar = await put('shop/edit.json', { prompt: 'warmer', image: named });
    const invalid = expectKind(await pair(sidecar), 'invalid');
    expect(invalid.error.code).toBe('REFERENCE_INVALID');
    expect(invalid.error.issues[0]).toMatch(reason);
  });

  it('ignores hidden files and library files when matching a sidecar', async () => {
    await put('p.jpg');
    await put('.p.png');
    const sidecar = await put('p.json', { prompt: 'warmer' });
    expect(expectJob(await pair(sidecar)).image.name).toBe('p.jpg');
  });

  it('pairs a malformed sidecar with its image and carries the parse error', async () => {
    const image = await put('p.jpg');
    await put('p.json', '{"prompt": "warmer",');
    const job = expectJob(await pair(image));
    expect(job.parsed).toMatchObject({ kind: 'invalid', error: { code: 'REQUEST_NOT_JSON' } });
    expect(job.parsed.kind === 'invalid' && job.parsed.error).toBeInstanceOf(ValidationError);
  });

  it('reports a malformed sidecar without an image as invalid', async () => {
    const sidecar = await put('lonely.json', { stages: [], colour: 'warm' });
    const invalid = expectKind(await pair(sidecar), 'invalid');
    expect(invalid.error.issues).toEqual(['unknown field "colour" (check the spelling)']);
  });

  it('reports an oversize sidecar as REQUEST_TOO_LARGE', async () => {
    const image = await put('p.jpg');
    await put('p.json', { prompt: 'x'.repeat(200) });
    const job = expectJob(await pairObject(image, { store, maxRequestBytes: 100 }));
    expect(job.parsed).toMatchObject({ kind: 'invalid', error: { code: 'REQUEST_TOO_LARGE' } });
  });

  it('pairs a non-image file that has a sidecar (loading refuses it later)', async () => {
    const file = await put('docs/notes.txt', 'hello');
    await put('docs/notes.json', { prompt: 'warmer' });
    expect(expectJob(await pair(file)).image.name).toBe('docs/notes.txt');
  });

  it('applies the nearest recipe in the same or an ancestor folder', async () => {
    await put('_recipe.json', { prompt: 'top' });
    await put('hot/_recipe.json', { prompt: 'hot' });
    await put('hot/deeper/_recipe.json', { prompt: 'deeper' });
    const cases: [string, string][] = [
      ['hot/deeper/x/y/cat.png', 'hot/deeper/_recipe.json'],
      ['hot/deeper/cat.png', 'hot/deeper/_recipe.json'],
      ['hot/other/cat.png', 'hot/_recipe.json'],
      ['elsewhere/cat.png', '_recipe.json'],
    ];
    for (const [name, recipe] of cases) {
      const job = expectJob(await pair(await put(name)));
      expect(job.request.name, name).toBe(recipe);
      expect(job.requestKind).toBe('recipe');
      expect(job.parsed.kind === 'request' && job.parsed.request.stages[0]?.prompt).toBe(
        recipe.split('/').at(-2) ?? 'top',
      );
    }
  });

  it('prefers a sidecar over a recipe', async () => {
    await put('hot/_recipe.json', { prompt: 'recipe' });
    const image = await put('hot/cat.png');
    await put('hot/cat.json', { prompt: 'sidecar' });
    const job = expectJob(await pair(image));
    expect(job.requestKind).toBe('sidecar');
  });

  it('does not apply a recipe to files without an image extension', async () => {
    await put('hot/_recipe.json', { prompt: 'black and white' });
    const pairing = await pair(await put('hot/readme.txt', 'hello'));
    expect(expectKind(pairing, 'wait').reason).toMatch(/not an image extension/);
  });

  it('starts nothing when a recipe arrives', async () => {
    await put('hot/cat.png');
    const recipe = await put('hot/_recipe.json', { prompt: 'black and white' });
    expect(expectKind(await pair(recipe), 'wait').reason).toBe('a recipe triggers nothing by itself');
  });

  it('waits for library files', async () => {
    await put('shop/_scenes/wall.json', { prompt: 'warmer' });
    expectKind(await pair(await put('shop/_scenes/wall.png')), 'wait');
  });
});

describe('findRecipe', () => {
  it('returns undefined without any recipe', async () => {
    expect(await findRecipe(await put('a/b/c.png'), store)).toBeUndefined();
  });

  it('returns the exact recipe object', async () => {
    const recipe = await put('a/_recipe.json', { prompt: 'warmer' });
    const found = await findRecipe(await put('a/b/c.png'), store);
    expect(found).toMatchObject({ bucket: BUCKET, name: 'a/_recipe.json', generation: recipe.generation });
  });
});
