import { describe, expect, it } from 'vitest';
import { joinList } from '../../../shared/request/compose.js';
import { composePrompt } from '../../../shared/request/index.js';

describe('joinList', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c'],
    [['a', 'b', 'c', 'd'], 'a, b, c and d'],
  ])('joins %j as "%s"', (items, expected) => {
    expect(joinList(items)).toBe(expected);
  });
});

describe('composePrompt', () => {
  interface TestData {
    name: string;
    prompt: string;
    keep?: string[];
    avoid?: string[];
    expected: string;
  }
  const cases: TestData[] = [
    { name: 'a prompt alone ends with one full stop', prompt: 'Make it warmer', expected: 'Make it warmer.' },
    { name: 'trailing punctuation is replaced', prompt: 'Make it warmer.;, ', expected: 'Make it warmer.' },
    {
      name: 'one keep clause',
      prompt: 'Replace the background with a beach',
      keep: ['the face'],
      expected: 'Replace the background with a beach. Keep the face unchanged; preserve all other details.',
    },
    {
      name: 'several keep clauses read as a list',
      prompt: 'Relight the scene',
      keep: ['the face', 'the logo.', 'the shadows'],
      expected:
        'Relight the scene. Keep the face, the logo and the shadows unchanged; preserve all other details.',
    },
    {
      name: 'one avoid clause',
      prompt: 'Add a sunset sky',
      avoid: ['add text'],
      expected: 'Add a sunset sky. Do not add text.',
    },
    {
      name: 'avoid clauses that already say "do not", "don\'t" or "never"',
      prompt: 'Add a sunset sky',
      avoid: ['Do not add text', "don't crop the product", 'never change the colours.'],
      expected: 'Add a sunset sky. Do not add text; do not crop the product; do not change the colours.',
    },
    {
      name: 'keep before avoid, as DESIGN.md writes them',
      prompt: 'Replace the background with a beach',
      keep: ['the face'],
      avoid: ['add text'],
      expected:
        'Replace the background with a beach. Keep the face unchanged; preserve all other details. Do not add text.',
    },
  ];
  it.each(cases)('$name', ({ prompt, keep, avoid, expected }) => {
    expect(composePrompt({ prompt, keep: keep ?? [], avoid: avoid ?? [] })).toBe(expected);
  });
});
