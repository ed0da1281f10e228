import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { EXTRA_LIMITS } from '../../../shared/request/bounded-json.js';
import { MAX_ASPECT_RATIO, RESERVED_SIZE_NAMES } from '../../../shared/request/output-schema.js';
import { parseRequest } from '../../../shared/request/parse.js';
import { MAX_LABELS } from '../../../shared/request/schema.js';

function issuesOf(json: unknown): string[] {
  try {
    parseRequest(json);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('REQUEST_INVALID');
    return (err as ValidationError).issues;
  }
  throw new Error('expected a ValidationError, but the request parsed');
}

/** `{ a: { a: … { a: 1 } } }` with `levels` objects. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('request bounds', () => {
  it.each(RESERVED_SIZE_NAMES.map((name) => [name]))('refuses the size name "%s"', (name) => {
    const issues = issuesOf({
      prompt: 'a',
      output: { formats: ['jpeg'], sizes: { [name]: { maxSize: 64 } } },
    });
    expect(issues).toEqual([
      expect.stringMatching(new RegExp(`^output\\.sizes\\.${name}: the size name "${name}" is reserved`)),
    ]);
  });

  it('accepts a size name that merely starts like a reserved one', () => {
    expect(
      parseRequest({ prompt: 'a', output: { sizes: { 'compare-small': { maxSize: 64 } } } }),
    ).toBeDefined();
  });

  it(`refuses an output aspect ratio wider than ${MAX_ASPECT_RATIO}:1, for the output and for a size`, () => {
    expect(issuesOf({ prompt: 'a', output: { aspectRatio: '999:1', fit: 'pad' } })).toEqual([
      `output.aspectRatio: must be at most ${MAX_ASPECT_RATIO}:1 either way`,
    ]);
    expect(issuesOf({ prompt: 'a', output: { sizes: { tall: { aspectRatio: '1:17' } } } })).toEqual([
      `output.sizes.tall.aspectRatio: must be at most ${MAX_ASPECT_RATIO}:1 either way`,
    ]);
    expect(
      parseRequest({ prompt: 'a', output: { aspectRatio: '16:1', fit: 'pad' } }).output.aspectRatio,
    ).toBe('16:1');
  });

  it(`refuses extra nested deeper than ${EXTRA_LIMITS.maxDepth} levels, naming where`, () => {
    const issues = issuesOf({ prompt: 'a', extra: nested(25) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^extra(\.a)+: nests deeper than 8 levels$/);
    expect(parseRequest({ prompt: 'a', extra: nested(EXTRA_LIMITS.maxDepth) })).toBeDefined();
  });

  it('counts arrays as levels of extra, as Firestore does', () => {
    let value: unknown = 1;
    for (let i = 0; i < 12; i++) value = [value];
    expect(issuesOf({ prompt: 'a', extra: { list: value } })[0]).toMatch(/nests deeper than 8 levels$/);
  });

  it('refuses extra with too many keys in one object, or a long key', () => {
    const wide = Object.fromEntries(Array.from({ length: EXTRA_LIMITS.maxKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(issuesOf({ prompt: 'a', extra: { inner: wide } })).toEqual([
      `extra.inner: has ${EXTRA_LIMITS.maxKeys + 1} keys; at most ${EXTRA_LIMITS.maxKeys} are allowed`,
    ]);
    expect(issuesOf({ prompt: 'a', extra: { ['k'.repeat(200)]: 1 } })).toEqual([
      `extra: has a key longer than ${EXTRA_LIMITS.maxKeyLength} characters`,
    ]);
  });

  it(`refuses more than ${MAX_LABELS} labels`, () => {
    const labels = Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`l${i}`, 'x']));
    expect(issuesOf({ prompt: 'a', labels })).toEqual([`labels: must have at most ${MAX_LABELS} labels`]);
  });
});
