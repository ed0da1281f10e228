import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { resolveSibling } from '../../../shared/pipeline/pair.js';
import { type ReferenceContext, resolveReference } from '../../../shared/pipeline/references.js';

const context: ReferenceContext = {
  bucket: 'media',
  folder: 'shop/',
  allowedBuckets: ['scenes'],
  requestName: 'shop/cup.json',
};

/** The one issue of the ValidationError that `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('REFERENCE_INVALID');
    const { issues } = err as ValidationError;
    expect(issues).toHaveLength(1);
    return issues[0] ?? '';
  }
  throw new Error('expected a refusal, but the reference was accepted');
}

interface Refused {
  reference: string;
  reason: RegExp;
}

describe('resolveSibling', () => {
  it.each([
    ['shop/', 'cup.png', 'shop/cup.png'],
    ['shop/', '_scenes/wall.png', 'shop/_scenes/wall.png'],
    ['', 'cup.png', 'cup.png'],
    ['a/b/', 'c/d.png', 'a/b/c/d.png'],
  ])('resolves "%s" + "%s" to %s', (folder, relative, expected) => {
    expect(resolveSibling(folder, relative)).toBe(expected);
  });

  const refused: Refused[] = [
    { reference: '../cup.png', reason: /must not contain "\.\."/ },
    { reference: 'a/../../cup.png', reason: /must not contain "\.\."/ },
    { reference: './cup.png', reason: /must not contain/ },
    { reference: 'a//cup.png', reason: /empty segments/ },
    { reference: '/etc/passwd', reason: /relative to the sidecar's folder/ },
    { reference: 'https://example.com/cup.png', reason: /relative to the sidecar's folder/ },
    { reference: 'file:///etc/passwd', reason: /relative to the sidecar's folder/ },
    { reference: 'file:cup.png', reason: /relative to the sidecar's folder/ },
    { reference: 'gs://media/cup.png', reason: /relative to the sidecar's folder/ },
    { reference: 'C:\\photos\\cup.png', reason: /relative to the sidecar's folder/ },
    { reference: '..\\cup.png', reason: /relative to the sidecar's folder/ },
  ];
  it.each(refused)('refuses $reference', ({ reference, reason }) => {
    let thrown: unknown;
    try {
      resolveSibling('shop/', reference);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('REFERENCE_INVALID');
    expect((thrown as ValidationError).issues[0]).toMatch(reason);
  });
});

describe('resolveReference', () => {
  it.each([
    ['wall.png', { bucket: 'media', name: 'shop/wall.png' }],
    ['_scenes/wall.png', { bucket: 'media', name: 'shop/_scenes/wall.png' }],
    ['_logo.png', { bucket: 'media', name: 'shop/_logo.png' }],
    ['gs://scenes/kitchen/wall.jpg', { bucket: 'scenes', name: 'kitchen/wall.jpg' }],
    ['gs://media/shop/sub/cup.png', { bucket: 'media', name: 'shop/sub/cup.png' }],
    ['gs://media/_scenes/cup.png', { bucket: 'media', name: '_scenes/cup.png' }],
  ])('accepts %s', (reference, expected) => {
    expect(resolveReference(reference, context, 'stages[0].references[0]')).toEqual(expected);
  });

  const refused: Refused[] = [
    { reference: '../secret.png', reason: /must not contain "\.\."/ },
    { reference: '/abs/cup.png', reason: /relative to the sidecar's folder/ },
    { reference: 'https://example.com/cup.png', reason: /relative to the sidecar's folder/ },
    { reference: 'http://169.254.169.254/computeMetadata', reason: /relative to the sidecar's folder/ },
    { reference: 'file:///etc/passwd', reason: /relative to the sidecar's folder/ },
    { reference: 'scenes\\wall.png', reason: /relative to the sidecar's folder/ },
    {
      reference: 'gs://elsewhere/wall.png',
      reason: /bucket "elsewhere" is not on the allow-list \(REFERENCE_BUCKETS\)/,
    },
    { reference: 'gs://scenes/../media/wall.png', reason: /must not contain "\.\."/ },
    { reference: 'gs://scenes//wall.png', reason: /empty segments/ },
    { reference: 'gs://media/other/cup.png', reason: /outside the sidecar's folder "shop\/"/ },
    { reference: 'gs://media/tenantB/private.png', reason: /REFERENCE_SCOPE=folder/ },
    { reference: 'cup.json', reason: /request cannot use itself as an image/ },
    { reference: 'gs://media/shop/cup.json', reason: /request cannot use itself as an image/ },
    { reference: 'other.json', reason: /is a sidecar, not an image/ },
    { reference: '_recipe.json', reason: /is a recipe, not an image/ },
    { reference: '.hidden.png', reason: /is a hidden file, not an image/ },
    { reference: '_scenes/.wall.png', reason: /hidden file, not an image/ },
    { reference: 'folder/', reason: /empty segments|folder/ },
  ];
  it.each(refused)('refuses $reference, naming the field path', ({ reference, reason }) => {
    const issue = refusal(() => resolveReference(reference, context, 'stages[1].references[2]'));
    expect(issue.startsWith('stages[1].references[2]: ')).toBe(true);
    expect(issue).toMatch(reason);
  });
});
