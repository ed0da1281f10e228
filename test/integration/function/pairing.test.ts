import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailedJob, expectSucceededJob } from './expect-job.js';
import { type FunctionHarness, RESULTS, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

let h: FunctionHarness;
let photo: Buffer;

beforeAll(async () => {
  h = await startFunctionHarness();
  photo = await smallPhoto();
});

afterAll(async () => {
  await h?.close();
});

describe('processUpload pairs images with sidecars and recipes', () => {
  it('waits on the image, then runs the job when its sidecar arrives (binary mode)', async () => {
    const image = h.upload('portraits/chelsea.jpg', photo);
    const first = await h.send(image);
    expect(first.status).toBe(204);
    expect(h.jobsOf('portraits/chelsea')).toEqual([]);

    const request = h.upload(
      'portraits/chelsea.json',
      sidecar({
        version: 1,
        labels: { collection: 'pets' },
        stages: [
          { name: 'light', prompt: 'Make the photo a bit warmer' },
          { name: 'finish', prompt: 'Add a vignette' },
        ],
        output: { formats: ['webp', 'jpeg'] },
      }),
    );
    const second = await h.send(request);
    expect(second.status).toBe(204);

    const { files, manifest, record } = await expectSucceededJob(h, 'portraits/chelsea', image);
    expect([...files.keys()].sort()).toEqual([
      'compare.jpg',
      'final.jpg',
      'final.webp',
      'manifest.json',
      'stages/01-light.png',
      'stages/02-finish.png',
    ]);
    expect(files.get('final.webp')?.contentType).toBe('image/webp');
    expect(files.get('final.jpg')?.contentType).toBe('image/jpeg');
    expect(files.get('compare.jpg')?.contentType).toBe('image/jpeg');
    expect(files.get('stages/01-light.png')?.contentType).toBe('image/png');
    expect(files.get('final.webp')?.metadata['darkroom-role']).toBe('final');
    const meta = await sharp(files.get('final.webp')?.data).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320 });
    expect(manifest).toMatchObject({
      labels: { collection: 'pets' },
      inputs: { request: { bucket: 'uploads', name: 'portraits/chelsea.json', kind: 'sidecar' } },
      stages: [
        { index: 1, name: 'light', engine: 'local' },
        { index: 2, name: 'finish', engine: 'local' },
      ],
    });
    expect(record.inputs.request?.generation).toBe(request.generation);
    expect(record.outputs?.map((o) => o.role)).toContain('manifest');
  });

  it('runs the job when the image arrives after its sidecar (structured mode, unicode names)', async () => {
    const folder = 'shoots/Été 2024';
    const request = h.upload(`${folder}/café au lait.json`, sidecar({ prompt: 'Black and white' }));
    const first = await h.send(request, { mode: 'structured' });
    expect(first.status).toBe(204);
    expect(h.jobsOf(`${folder}/café au lait`)).toEqual([]);

    const image = h.upload(`${folder}/café au lait.jpg`, photo);
    const second = await h.send(image, { mode: 'structured' });
    expect(second.status).toBe(204);

    const { files } = await expectSucceededJob(h, `${folder}/café au lait`, image);
    const stats = await sharp(files.get('final.webp')?.data).stats();
    const [r, g, b] = stats.channels;
    // Black and white: the channels agree (webp's chroma subsampling leaves a little noise).
    expect(Math.abs((r?.mean ?? 0) - (b?.mean ?? 255))).toBeLessThan(2);
    expect(Math.abs((g?.mean ?? 0) - (b?.mean ?? 255))).toBeLessThan(2);
  });

  it('does nothing when a recipe arrives, and runs it for each image dropped in its folder', async () => {
    const recipe = h.upload('hot/_recipe.json', sidecar({ prompt: 'Kodak Portra 400 look' }));
    expect((await h.send(recipe)).status).toBe(204);
    expect(h.gcs.listObjects(RESULTS, 'hot/')).toEqual([]);

    const image = h.upload('hot/cat.jpg', photo);
    expect((await h.send(image)).status).toBe(204);

    const { manifest, record } = await expectSucceededJob(h, 'hot/cat', image);
    expect(record.inputs.requestKind).toBe('recipe');
    expect(manifest).toMatchObject({
      inputs: { request: { name: 'hot/_recipe.json', generation: recipe.generation, kind: 'recipe' } },
    });
  });

  it('acknowledges a bad sidecar and writes error.json (permanent failure)', async () => {
    const image = h.upload('bad/photo.jpg', photo);
    expect((await h.send(image)).status).toBe(204);
    const request = h.upload('bad/photo.json', sidecar({ prompt: 'Warmer', seed: 'lucky' }));
    const reply = await h.send(request);
    expect(reply.status).toBe(204);

    const { report } = await expectFailedJob(h, 'bad/photo', 'REQUEST_INVALID', image);
    expect(String(report.message)).toContain('seed');
  });
});
