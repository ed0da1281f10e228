import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../../../shared/imaging/index.js';
import { readProvenance } from '../../../shared/imaging/provenance.js';
import { fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

interface Manifest {
  stages: unknown[];
  outputs: { role: string; name: string; format: string; width?: number; height?: number }[];
  inputs: { image: { sha256: string } };
}

describe('output-only jobs (no stages): resize, pad, convert and stamp with no engine', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('writes the requested formats and sizes of `stages: []`, a manifest without stages, and lineage', async () => {
    await h.dropFile('shop/chelsea.png', fixture('chelsea.png'));
    await h.drop('shop/chelsea.json', {
      version: 1,
      stages: [],
      output: {
        formats: ['webp', 'jpeg'],
        sizes: {
          thumb: { maxSize: 128 },
          square: { maxSize: 200, aspectRatio: '1:1', fit: 'pad', background: '#000000' },
        },
      },
    });
    const { jobId } = expectOutcome(await h.arrive('shop/chelsea.png'), 'succeeded');
    const prefix = `shop/chelsea/${jobId}/`;
    const manifest = await h.resultJson<Manifest>(`${prefix}manifest.json`);
    expect(manifest.stages).toEqual([]);
    const names = manifest.outputs.map((o) => o.name);
    expect(names).toEqual(
      expect.arrayContaining([
        `${prefix}final.webp`,
        `${prefix}final.jpg`,
        `${prefix}thumb.webp`,
        `${prefix}thumb.jpg`,
        `${prefix}square.webp`,
        `${prefix}square.jpg`,
      ]),
    );
    // No stage output was stored: nothing was edited.
    expect(names.some((n) => n.includes('/stages/'))).toBe(false);

    const source = await sharp(fixture('chelsea.png')).metadata();
    const final = await sharp(await h.result(`${prefix}final.webp`)).metadata();
    expect([final.width, final.height]).toEqual([source.width, source.height]);
    const thumb = await sharp(await h.result(`${prefix}thumb.jpg`)).metadata();
    expect(Math.max(thumb.width, thumb.height)).toBe(128);
    const square = await sharp(await h.result(`${prefix}square.webp`)).metadata();
    expect([square.width, square.height]).toEqual([200, 200]);
    // Padded, not cropped: the landscape photo sits between black bars.
    const bar = await sharp(await h.result(`${prefix}square.webp`))
      .extract({ left: 0, top: 0, width: 200, height: 4 })
      .removeAlpha()
      .raw()
      .toBuffer();
    expect(Math.max(...bar)).toBeLessThan(16);

    // The pixels are the source's, unedited (a lossy encode away).
    const [a, b] = await Promise.all(
      [fixture('chelsea.png'), await h.result(`${prefix}final.jpg`)].map((input) =>
        sharp(input).removeAlpha().resize(32, 32, { fit: 'fill' }).raw().toBuffer(),
      ),
    );
    const diff = (a as Buffer).reduce((sum, v, i) => sum + Math.abs(v - ((b as Buffer)[i] as number)), 0);
    expect(diff / (a as Buffer).length).toBeLessThan(4);

    // Provenance is stamped, with no claim about how the source was made.
    const stamped = await readProvenance(await h.result(`${prefix}final.webp`));
    expect(stamped.jobId).toBe(jobId);
    expect(stamped.sourceAssetIds).toEqual([manifest.inputs.image.sha256]);
    expect(stamped.digitalSourceType).toBeUndefined();

    // Lineage: a succeeded job with no stage records, outputs derived from the source asset.
    const job = await h.lineage.getJob(jobId);
    expect(job?.status).toBe('succeeded');
    expect(await h.lineage.listStages(jobId)).toEqual([]);
    const asset = await h.lineage.getAsset(hashBytes(await h.result(`${prefix}thumb.webp`)));
    expect(asset?.producedBy).toMatchObject({ jobId, role: 'thumb' });
    expect(asset?.derivedFrom).toEqual([manifest.inputs.image.sha256]);
  });

  it('reads a recipe with only an output section as an output-only job for every image under it', async () => {
    await h.drop('bulk/_recipe.json', { output: { formats: ['avif'], sizes: { small: { maxSize: 64 } } } });
    await h.dropFile('bulk/one.png', fixture('coffee.png'));
    await h.dropFile('bulk/two.png', fixture('brick.png'));
    for (const name of ['one', 'two']) {
      const { jobId } = expectOutcome(await h.arrive(`bulk/${name}.png`), 'succeeded');
      const manifest = await h.resultJson<Manifest>(`bulk/${name}/${jobId}/manifest.json`);
      expect(manifest.stages).toEqual([]);
      const small = await sharp(await h.result(`bulk/${name}/${jobId}/small.avif`)).metadata();
      expect(small.format).toBe('heif');
      expect(Math.max(small.width, small.height)).toBe(64);
    }
  });
});
