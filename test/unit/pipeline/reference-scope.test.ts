import { describe, expect, it } from 'vitest';
import { inFolderScope } from '../../../shared/pipeline/reference-scope.js';
import { resolveReference } from '../../../shared/pipeline/references.js';

describe('inFolderScope', () => {
  it.each([
    ['shop/a/', 'shop/a/cup.png', true],
    ['shop/a/', 'shop/a/deep/er/cup.png', true],
    ['shop/a/', 'shop/a/_scenes/wall.png', true],
    ['shop/a/', 'shop/_scenes/wall.png', true],
    ['shop/a/', '_scenes/wall.png', true],
    ['shop/a/', '_logo.png', true],
    ['shop/a/', 'shop/b/cup.png', false],
    ['shop/a/', 'shop/cup.png', false],
    ['shop/a/', 'tenantB/private.png', false],
    ['shop/a/', 'tenantB/_scenes/wall.png', false],
    ['shop/a/', 'shop/b/_scenes/wall.png', false],
    ['', 'anything/at/all.png', true],
  ])('%s may read %s: %s', (folder, name, expected) => {
    expect(inFolderScope(folder, name)).toBe(expected);
  });
});

describe('REFERENCE_SCOPE', () => {
  const context = { bucket: 'media', folder: 'r/', allowedBuckets: ['scenes'], requestName: 'r/x.json' };
  it('refuses a gs:// name of the input bucket outside the folder tree by default', () => {
    expect(() =>
      resolveReference('gs://media/tenantB/private.png', context, 'stages[0].references[0]'),
    ).toThrow(
      /stages\[0\]\.references\[0\]: "gs:\/\/media\/tenantB\/private\.png" is outside the sidecar's folder "r\/"/,
    );
  });
  it('allows it with REFERENCE_SCOPE=bucket', () => {
    expect(
      resolveReference(
        'gs://media/tenantB/private.png',
        { ...context, scope: 'bucket' },
        'stages[0].references[0]',
      ),
    ).toEqual({ bucket: 'media', name: 'tenantB/private.png' });
  });
  it('does not scope the shared buckets of REFERENCE_BUCKETS', () => {
    expect(resolveReference('gs://scenes/any/where.png', context, 'p')).toEqual({
      bucket: 'scenes',
      name: 'any/where.png',
    });
  });
});
