import { describe, expect, it } from 'vitest';
import {
  arrivalIgnoreReason,
  hasImageExtension,
  isLibraryPath,
  isOwnOutput,
  kindOfName,
  OUTPUT_MARKER,
  type Route,
  type RouteContext,
  type RoutedObject,
  routeObject,
} from '../../../shared/pipeline/route.js';

const SEPARATE: RouteContext = { results: { bucket: 'results', prefix: '' } };
const SAME_BUCKET: RouteContext = { results: { bucket: 'media', prefix: 'out/' } };

describe('routeObject', () => {
  interface TestData {
    name: string;
    object: RoutedObject;
    context?: RouteContext;
    expected: Route['kind'];
    reason?: RegExp;
  }
  const cases: TestData[] = [
    { name: 'an image', object: { bucket: 'media', name: 'a/b/photo.jpg' }, expected: 'input' },
    { name: 'a top-level image', object: { bucket: 'media', name: 'photo.PNG' }, expected: 'input' },
    { name: 'a file without extension', object: { bucket: 'media', name: 'a/scan' }, expected: 'input' },
    {
      name: 'a text file (may pair with a sidecar)',
      object: { bucket: 'media', name: 'notes.txt' },
      expected: 'input',
    },
    { name: 'a sidecar', object: { bucket: 'media', name: 'a/b/photo.json' }, expected: 'sidecar' },
    { name: 'an upper-case sidecar', object: { bucket: 'media', name: 'PHOTO.JSON' }, expected: 'sidecar' },
    { name: 'a recipe', object: { bucket: 'media', name: 'hot/_recipe.json' }, expected: 'recipe' },
    { name: 'a top-level recipe', object: { bucket: 'media', name: '_recipe.json' }, expected: 'recipe' },
    {
      name: 'an output marked with the string "true"',
      object: { bucket: 'media', name: 'a/photo.jpg', metadata: { [OUTPUT_MARKER]: 'true' } },
      expected: 'ignore',
      reason: /output of the pipeline/,
    },
    {
      name: 'an output marked with the boolean true',
      object: { bucket: 'media', name: 'a/photo.json', metadata: { [OUTPUT_MARKER]: true } },
      expected: 'ignore',
      reason: /output of the pipeline/,
    },
    {
      name: 'a marker that is not true',
      object: { bucket: 'media', name: 'a/photo.jpg', metadata: { [OUTPUT_MARKER]: 'false' } },
      expected: 'input',
    },
    {
      name: 'a recipe that is an output',
      object: { bucket: 'media', name: 'hot/_recipe.json', metadata: { [OUTPUT_MARKER]: 'true' } },
      expected: 'ignore',
    },
    {
      name: 'a hidden file',
      object: { bucket: 'media', name: 'a/.photo.jpg' },
      expected: 'ignore',
      reason: /hidden/,
    },
    {
      name: 'a file in a hidden folder',
      object: { bucket: 'media', name: '.cache/photo.jpg' },
      expected: 'ignore',
      reason: /hidden/,
    },
    {
      name: 'the fs store metadata',
      object: { bucket: 'media', name: '.darkroom/meta/x.json' },
      expected: 'ignore',
    },
    {
      name: 'a folder placeholder',
      object: { bucket: 'media', name: 'a/b/' },
      expected: 'ignore',
      reason: /folder/,
    },
    {
      name: 'a library image',
      object: { bucket: 'media', name: 'shop/_scenes/kitchen.jpg' },
      expected: 'ignore',
      reason: /library/,
    },
    {
      name: 'a library file name',
      object: { bucket: 'media', name: 'shop/_logo.png' },
      expected: 'ignore',
      reason: /library/,
    },
    {
      name: 'a JSON in a library folder',
      object: { bucket: 'media', name: '_scenes/notes.json' },
      expected: 'ignore',
      reason: /library/,
    },
    {
      name: 'an object under the results prefix of the same bucket',
      object: { bucket: 'media', name: 'out/a/photo/J/final.webp' },
      context: SAME_BUCKET,
      expected: 'ignore',
      reason: /results prefix/,
    },
    {
      name: 'a sidecar under the results prefix',
      object: { bucket: 'media', name: 'out/x.json' },
      context: SAME_BUCKET,
      expected: 'ignore',
    },
    {
      name: 'the same name in another bucket',
      object: { bucket: 'drop', name: 'out/a/photo.jpg' },
      context: SAME_BUCKET,
      expected: 'input',
    },
    {
      name: 'a name that only shares letters with the results prefix',
      object: { bucket: 'media', name: 'outlet/photo.jpg' },
      context: SAME_BUCKET,
      expected: 'input',
    },
    {
      name: 'an empty results prefix (nothing is excluded by prefix)',
      object: { bucket: 'results', name: 'photo.jpg' },
      context: SEPARATE,
      expected: 'input',
    },
  ];
  it.each(cases)('routes $name as $expected', ({ object, context, expected, reason }) => {
    const route = routeObject(object, context ?? SEPARATE);
    expect(route.kind).toBe(expected);
    if (reason) expect(route.kind === 'ignore' && route.reason).toMatch(reason);
  });
});

describe('kindOfName', () => {
  it.each([
    ['a/photo.jpg', 'input'],
    ['a/notes.txt', 'input'],
    ['a/photo.json', 'sidecar'],
    ['hot/_recipe.json', 'recipe'],
    ['_scenes/kitchen.jpg', 'ignore'],
    ['a/.DS_Store', 'ignore'],
    ['a/folder/', 'ignore'],
  ])('%s is %s', (name, expected) => {
    expect(kindOfName(name).kind).toBe(expected);
  });
});

describe('isOwnOutput', () => {
  it.each<[string, RoutedObject, RouteContext['results'] | undefined, boolean]>([
    [
      'an object with the output marker',
      { bucket: 'media', name: 'a.jpg', metadata: { [OUTPUT_MARKER]: 'true' } },
      undefined,
      true,
    ],
    [
      'a name inside a non-empty results prefix',
      { bucket: 'media', name: 'out/a.jpg' },
      SAME_BUCKET.results,
      true,
    ],
    ['the same name in another bucket', { bucket: 'drop', name: 'out/a.jpg' }, SAME_BUCKET.results, false],
    [
      'a name in a results bucket with an empty prefix',
      { bucket: 'results', name: 'a.jpg' },
      SEPARATE.results,
      false,
    ],
    ['an unmarked object with no results location', { bucket: 'media', name: 'out/a.jpg' }, undefined, false],
  ])('%s → %s', (_name, object, results, expected) => {
    expect(isOwnOutput(object, results)).toBe(expected);
  });
});

describe('arrivalIgnoreReason', () => {
  const NOW = Date.parse('2026-01-01T00:10:00Z');
  const options = { ...SAME_BUCKET, now: NOW, maxEventAgeMs: 300_000 };
  it.each<[string, RoutedObject & { time?: string }, RegExp | undefined]>([
    ['a fresh image', { bucket: 'media', name: 'a/photo.jpg', time: '2026-01-01T00:09:00Z' }, undefined],
    ['an event with no time', { bucket: 'media', name: 'a/photo.jpg' }, undefined],
    ['an output', { bucket: 'media', name: 'out/photo.jpg' }, /results prefix/],
    ['a recipe', { bucket: 'media', name: 'hot/_recipe.json' }, /recipe triggers nothing/],
    [
      'a stale event',
      { bucket: 'media', name: 'a/photo.jpg', time: '2026-01-01T00:00:00Z' },
      /older than 300s/,
    ],
  ])('%s', (_name, event, reason) => {
    const found = arrivalIgnoreReason(event, options);
    if (reason) expect(found).toMatch(reason);
    else expect(found).toBeUndefined();
  });
});

describe('isLibraryPath', () => {
  it.each([
    ['_scenes/kitchen.jpg', true],
    ['shop/_scenes/kitchen.jpg', true],
    ['shop/_logo.png', true],
    ['shop/my_logo.png', false],
    ['shop/scenes_/kitchen.jpg', false],
    ['photo.jpg', false],
  ])('%s → %s', (name, expected) => {
    expect(isLibraryPath(name)).toBe(expected);
  });
});

describe('hasImageExtension', () => {
  it.each([
    ['a/photo.jpg', true],
    ['a/photo.JPEG', true],
    ['photo.png', true],
    ['photo.webp', true],
    ['photo.tiff', true],
    ['photo.avif', true],
    ['photo.heic', true],
    ['notes.txt', false],
    ['photo.json', false],
    ['doc.pdf', false],
    ['photo', false],
    ['a.jpg/readme', false],
  ])('%s → %s', (name, expected) => {
    expect(hasImageExtension(name)).toBe(expected);
  });
});
