import { describe, expect, it } from 'vitest';
import { createLocalEngine, parseEditPrompt } from '../../../../shared/engines/local/index.js';
import { stage } from './helpers.js';

describe('parseEditPrompt: protection clauses wherever they stand', () => {
  it.each([
    {
      prompt: 'Make it warmer please, do not make it cooler, and keep the grass unchanged',
      constraints: ['do not make it cooler', 'keep the grass unchanged'],
    },
    {
      prompt: 'keep the grass unchanged and do not make it cooler, make it warmer',
      constraints: ['keep the grass unchanged', 'do not make it cooler'],
    },
    {
      prompt: 'Do not add text, and preserve the logo, make it warmer',
      constraints: ['Do not add text', 'preserve the logo'],
    },
    {
      prompt: 'Keep the logo and keep the handle unchanged, make it warmer',
      constraints: ['Keep the logo and keep the handle unchanged'],
    },
    { prompt: 'Make it warmer, do not make it cooler', constraints: ['do not make it cooler'] },
  ])('"$prompt"', ({ prompt, constraints }) => {
    const parsed = parseEditPrompt(prompt);
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.conflicts).toEqual([]);
    expect(parsed.operations.map((o) => o.op)).toEqual(['warmer']);
    expect(parsed.constraints).toEqual(constraints);
  });
});

describe('parseEditPrompt: the editing guide’s phrasings', () => {
  it.each([
    { prompt: 'Make the lighting warmer and more golden, preserve all other details', ops: ['warmer'] },
    { prompt: 'Make the colours a bit cooler', ops: ['cooler'] },
    { prompt: 'Make the exposure brighter', ops: ['brighter'] },
    { prompt: 'Golden light, keep the cat unchanged', ops: ['golden-hour'] },
  ])('"$prompt" → $ops', ({ prompt, ops }) => {
    const parsed = parseEditPrompt(prompt);
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.operations.map((o) => o.op)).toEqual(ops);
  });

  it('"a bit" between the subject and the tone word still halves the effect', () => {
    expect(parseEditPrompt('Make the colours a bit cooler').operations[0]?.intensity).toBe(0.5);
  });
});

describe('local engine: a background described in words', () => {
  it('says to add the background as an image or to use the gemini engine', () => {
    const engine = createLocalEngine();
    const plan = () =>
      engine.plan(stage('Replace the background with a white marble counter, keep the product unchanged'));
    expect(plan).toThrow(/replaces a background only with another image/);
    expect(plan).toThrow(/"engine": "gemini"/);
    expect(() =>
      engine.plan(stage('Replace the background with image 2', { referenceCount: 1 })),
    ).not.toThrow();
  });
});
