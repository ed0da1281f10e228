import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cutOut } from '../../../../shared/engines/local/background.js';
import { createLocalEngine } from '../../../../shared/engines/local/index.js';
import { decodeFrame } from '../../../../shared/engines/local/pixels.js';
import { separateSubject } from '../../../../shared/subject/index.js';
import { readFixture } from '../../../fixtures/index.js';
import { edit, fixture, pixels } from './helpers.js';
import { lightFringe, maskIoU, SYNTHETIC_PRODUCTS, syntheticProduct } from './synthetic-products.js';

/** Luminance steps an edge pixel on a dark scene may exceed the product's own edge colour by. */
const FRINGE_TOLERANCE = 10;

describe('separateSubject on synthetic products with known masks', () => {
  it.each(SYNTHETIC_PRODUCTS)('%s: mask IoU ≥ 0.97 and no light fringe on a dark scene', async (name) => {
    const product = await syntheticProduct(name);
    const mask = await separateSubject(product.frame);
    expect(mask.source).toBe('uniform-background');
    expect(maskIoU(mask.alpha, product.truth)).toBeGreaterThanOrEqual(0.97);
    expect(lightFringe(cutOut(product.frame, mask), product)).toBeLessThanOrEqual(FRINGE_TOLERANCE);
  });

  it('treats an alpha channel that is opaque almost everywhere as no alpha', async () => {
    const product = await syntheticProduct('meaningless-alpha');
    expect(product.frame.channels).toBe(4);
    const mask = await separateSubject(product.frame);
    expect(mask.source).toBe('uniform-background');
    expect(mask.coverage).toBeLessThan(0.2);
  });
});

describe('separateSubject on real product shots', () => {
  it('keeps the white band of the logo (an opaque disc, rim at radius ≈ 240 px, on white)', async () => {
    const frame = await decodeFrame(
      await sharp(readFixture('logo.png')).flatten({ background: '#ffffff' }).png().toBuffer(),
    );
    const disc = Buffer.alloc(500 * 500);
    for (let y = 0; y < 500; y++) {
      for (let x = 0; x < 500; x++) disc[y * 500 + x] = Math.hypot(x - 249.5, y - 249.5) < 240 ? 255 : 0;
    }
    const mask = await separateSubject(frame);
    expect(maskIoU(mask.alpha, disc)).toBeGreaterThanOrEqual(0.97);
    // A point on the white S band, well inside the disc, is product.
    expect(mask.alpha[162 * 500 + 330]).toBe(255);
    expect(mask.alpha[351 * 500 + 186]).toBe(255);
  });

  it('keeps the espresso cup’s white rim (the true mask is the two ellipses it was cut along)', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">
<rect width="600" height="400" fill="#000"/><ellipse cx="279" cy="229" rx="192" ry="150" fill="#fff"/>
<ellipse cx="290" cy="112" rx="112" ry="94" fill="#fff"/></svg>`;
    const truth = await sharp(Buffer.from(svg)).extractChannel(0).blur(1.2).resize(480, 320).raw().toBuffer();
    const mask = await separateSubject(await decodeFrame((await fixture('product-on-white')).data));
    expect(maskIoU(mask.alpha, truth)).toBeGreaterThanOrEqual(0.97);
  });

  it('remove the background on a product saved as RGBA with a meaningless alpha cuts out the product', async () => {
    const { frame } = await syntheticProduct('meaningless-alpha');
    const png = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
      .png()
      .toBuffer();
    const meta = await sharp(png).metadata();
    const result = await createLocalEngine().edit({
      stage: {
        index: 0,
        name: 'cut',
        prompt: 'Remove the background',
        referenceCount: 0,
        params: { seed: 1 },
      },
      input: { data: png, mimeType: 'image/png', width: meta.width ?? 0, height: meta.height ?? 0 },
      references: [],
    });
    const p = await pixels(result.image);
    expect(p.at(30, 150)[3]).toBe(0);
    expect(p.at(200, 240)[3]).toBe(255);
    expect(result.details?.subject).toMatchObject({ source: 'uniform-background' });
  });

  it('a cut-out matted on white before it was saved with alpha shows no light outline on a dark scene', async () => {
    const product = await syntheticProduct('meaningless-alpha');
    const { width, height } = product.frame;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const a = (product.truth[i] as number) / 255;
      for (let c = 0; c < 3; c++)
        rgba[i * 4 + c] = Math.round((product.product[i * 3 + c] as number) * a + 255 * (1 - a));
      rgba[i * 4 + 3] = product.truth[i] as number;
    }
    const frame = { data: rgba, width, height, channels: 4 as const };
    const mask = await separateSubject(frame);
    expect(mask.source).toBe('alpha');
    expect(lightFringe(cutOut(frame, mask), product)).toBeLessThanOrEqual(FRINGE_TOLERANCE);
  });

  it('still uses a real cut-out’s alpha as it is', async () => {
    const result = await edit('remove the background', ['logo-alpha']);
    expect(result.details?.subject).toMatchObject({ source: 'alpha' });
  });
});
