import { describe, expect, it } from 'vitest';
import { lintPrompt } from '../../../shared/request/index.js';
import { countWords, PROMPT_WORDS_MAX, PROMPT_WORDS_MIN } from '../../../shared/request/lint.js';

/** A prompt of exactly `n` words about one change (the background). */
function words(n: number): string {
  const pool = ['replace', 'the', 'background', 'with', 'a', 'quiet', 'sandy', 'beach', 'at', 'noon'];
  return Array.from({ length: n }, (_, i) => pool[i % pool.length]).join(' ');
}

describe('countWords', () => {
  it.each([
    ['', 0],
    ['   ', 0],
    ['make it warmer', 3],
    ['  make\tit\n warmer  ', 3],
    ['a well-lit, high-contrast shot', 4],
    ['warmer — and brighter !', 3],
    ['café crème 2 times', 4],
  ])('counts "%s" as %i words', (text, expected) => {
    expect(countWords(text)).toBe(expected);
  });
});

describe('lintPrompt', () => {
  it('is silent for one change within 40–80 words', () => {
    expect(lintPrompt(words(PROMPT_WORDS_MIN))).toEqual([]);
    expect(lintPrompt(words(60))).toEqual([]);
    expect(lintPrompt(words(PROMPT_WORDS_MAX))).toEqual([]);
  });

  it('warns under 40 words, with the count and the label', () => {
    const warnings = lintPrompt(words(PROMPT_WORDS_MIN - 1), 'stage 2 (sky)');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stage 2 \(sky\): the prompt has 39 words; 40–80 work best/);
  });

  it('warns over 80 words', () => {
    const warnings = lintPrompt(words(PROMPT_WORDS_MAX + 1));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stage: the prompt has 81 words; 40–80 work best — move separate changes/);
  });

  it('warns when one stage asks for several unrelated changes', () => {
    const prompt = `${words(40)} then remove the people, make the colours warmer and add a caption`;
    const warnings = lintPrompt(prompt);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/several unrelated changes \(.*background.*removal.*\)/);
  });

  it('does not call two related changes several', () => {
    const prompt = `${words(40)} under soft evening light`;
    expect(lintPrompt(prompt)).toEqual([]);
  });

  it('gives both warnings for a short prompt with many changes', () => {
    const warnings = lintPrompt('new background, brighter lighting, remove the logo, watercolour style');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/words/);
    expect(warnings[1]).toMatch(/several unrelated changes/);
  });

  it.each(['', '   ', '🙂🙂🙂', '...', 'x'.repeat(5000), `${'word '.repeat(3000)}`, '\u0000\uFFFF'])(
    'never throws (%#)',
    (prompt) => {
      expect(() => lintPrompt(prompt)).not.toThrow();
      expect(Array.isArray(lintPrompt(prompt))).toBe(true);
    },
  );
});
