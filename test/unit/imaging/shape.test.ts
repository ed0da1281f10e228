import { describe, expect, it } from 'vitest';
import { parseAspectRatio, shapeFor } from '../../../shared/imaging/index.js';
import type { Shape, ShapeOptions } from '../../../shared/imaging/shape.js';

interface TestData {
  why: string;
  image: { width: number; height: number };
  options: Partial<ShapeOptions>;
  expected: Partial<Shape>;
}

const BASE: ShapeOptions = { fit: 'cover', background: '#ffffff' };

describe('shapeFor', () => {
  const cases: TestData[] = [
    { why: 'no options', image: { width: 800, height: 600 }, options: {}, expected: { kind: 'none' } },
    {
      why: 'maxSize above the image',
      image: { width: 800, height: 600 },
      options: { maxSize: 1000 },
      expected: { kind: 'none' },
    },
    {
      why: 'maxSize below the image',
      image: { width: 800, height: 600 },
      options: { maxSize: 400 },
      expected: { kind: 'inside', width: 400, height: 400 },
    },
    {
      why: 'cover to a square',
      image: { width: 800, height: 600 },
      options: { aspectRatio: '1:1' },
      expected: { kind: 'cover', width: 600, height: 600, position: 'attention' },
    },
    {
      why: 'cover to 16:9 from portrait',
      image: { width: 600, height: 800 },
      options: { aspectRatio: '16:9' },
      expected: { kind: 'cover', width: 600, height: 338 },
    },
    {
      why: 'pad to a square, then shrink',
      image: { width: 800, height: 600 },
      options: { aspectRatio: '1:1', fit: 'pad', maxSize: 400 },
      expected: { kind: 'pad', width: 400, height: 400 },
    },
    {
      why: 'pad to 4:5 without enlarging',
      image: { width: 800, height: 600 },
      options: { aspectRatio: '4:5', fit: 'pad', maxSize: 4000 },
      expected: { kind: 'pad', width: 800, height: 1000 },
    },
  ];
  it.each(cases)('handles $why', ({ image, options, expected }) => {
    expect(shapeFor(image, { ...BASE, ...options })).toMatchObject(expected);
  });
});

describe('parseAspectRatio', () => {
  it('parses w:h and rejects zero sides', () => {
    expect(parseAspectRatio('4:5')).toBe(0.8);
    expect(parseAspectRatio('0:5')).toBeUndefined();
  });
});
