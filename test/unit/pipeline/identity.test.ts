import { describe, expect, it } from 'vitest';
import type { InputRef } from '../../../shared/lineage/records.js';
import { drawSeed, jobIdFor } from '../../../shared/pipeline/identity.js';

const image: InputRef = { bucket: 'media', name: 'a/photo.jpg', generation: '1700000000000001' };
const sidecar: InputRef = { bucket: 'media', name: 'a/photo.json', generation: '1700000000000002' };

describe('jobIdFor', () => {
  it('gives 24 hex characters', () => {
    expect(jobIdFor({ image, request: sidecar })).toMatch(/^[0-9a-f]{24}$/);
  });

  it('gives the same id for the same inputs', () => {
    expect(jobIdFor({ image: { ...image }, request: { ...sidecar } })).toBe(
      jobIdFor({ image, request: sidecar }),
    );
  });

  interface TestData {
    name: string;
    image?: InputRef;
    request?: InputRef;
  }
  const changes: TestData[] = [
    { name: 'a new image generation', image: { ...image, generation: '1700000000000003' }, request: sidecar },
    { name: 'a new sidecar generation', image, request: { ...sidecar, generation: '1700000000000003' } },
    { name: 'another image name', image: { ...image, name: 'a/photo2.jpg' }, request: sidecar },
    { name: 'another bucket', image: { ...image, bucket: 'other' }, request: sidecar },
    { name: 'a recipe instead of the sidecar', image, request: { ...sidecar, name: 'a/_recipe.json' } },
    { name: 'no image', request: sidecar },
    { name: 'no request', image },
    { name: 'image and request swapped', image: sidecar, request: image },
  ];
  it.each(changes)('gives a different id for $name', ({ image: i, request: r }) => {
    expect(jobIdFor({ image: i, request: r })).not.toBe(jobIdFor({ image, request: sidecar }));
  });

  it('keeps field boundaries: shifting a character between name and generation changes the id', () => {
    expect(jobIdFor({ image: { bucket: 'b', name: 'x', generation: '12' }, request: sidecar })).not.toBe(
      jobIdFor({ image: { bucket: 'b', name: 'x1', generation: '2' }, request: sidecar }),
    );
  });
});

describe('drawSeed', () => {
  it('draws the same seed for the same job and stage', () => {
    expect(drawSeed('abc', 1)).toBe(drawSeed('abc', 1));
  });

  it('draws different seeds for different stages and jobs', () => {
    const seeds = new Set([drawSeed('abc', 1), drawSeed('abc', 2), drawSeed('abd', 1), drawSeed('abd', 2)]);
    expect(seeds.size).toBe(4);
  });

  it('stays within the request seed range 0…2147483647', () => {
    for (let i = 0; i < 500; i++) {
      const seed = drawSeed(`job-${i}`, (i % 10) + 1);
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThanOrEqual(2147483647);
    }
  });
});
