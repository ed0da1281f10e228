import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { parseRequest } from '../../../shared/request/parse.js';

function issues(json: unknown): string[] {
  try {
    parseRequest(json);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('request problems in the request’s own words, not the validation library’s', () => {
  it('a wrong type names what is expected and what was given', () => {
    expect(issues({ prompt: 'warmer', references: 'a.png' })).toEqual([
      'references: must be a list ([…]) (got the text "a.png")',
    ]);
    expect(issues({ prompt: 'warmer', variants: '2' })).toEqual([
      'variants: must be a number (without quotes) (got the text "2")',
    ]);
    expect(issues({ prompt: 'warmer', labels: 'x' })).toEqual([
      'labels: must be an object ({…}) (got the text "x")',
    ]);
    for (const line of issues({ stages: [{ prompt: 'warmer', references: 7 }], labels: [] })) {
      expect(line).not.toMatch(/Invalid input|received/);
    }
  });

  it('an aspect ratio that is not a ratio gets one complaint, not "zero side"', () => {
    expect(issues({ prompt: 'warmer', output: { aspectRatio: 'square' } })).toEqual([
      'output.aspectRatio: must look like "4:5"',
    ]);
    expect(issues({ prompt: 'warmer', output: { aspectRatio: '0:1' } })).toEqual([
      'output.aspectRatio: must not have a zero side (e.g. "1:1", "4:5")',
    ]);
  });
});
