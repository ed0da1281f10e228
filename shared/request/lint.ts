/**
 * The prompt lint of the editing guide. It warns, never fails.
 */

export const PROMPT_WORDS_MIN = 40;
export const PROMPT_WORDS_MAX = 80;

// Verbs that each start a distinct kind of change; two or more in one stage usually
// means several unrelated edits that the guide says to split into stages.
const CHANGE_KINDS: Record<string, RegExp> = {
  background: /\b(background|backdrop|scene|setting)\b/i,
  lighting: /\b(light|lighting|brighter|darker|golden hour|exposure|shadows?)\b/i,
  colour:
    /\b(warmer|cooler|colou?r|saturat\w*|vibrant|black and white|sepia|grade|look|portra|velvia|teal)\b/i,
  removal: /\b(remove|erase|delete)\b/i,
  addition: /\b(add|insert|place|put)\b/i,
  style: /\b(style|painting|illustration|cartoon|watercolou?r|sketch)\b/i,
  text: /\b(text|label|logo|caption|sign)\b/i,
};

/** Counts words the way a person would (hyphenated words count once). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * Lints one stage prompt (the prompt the user wrote, before composition).
 * @returns warnings, each a sentence telling the user what to consider
 */
export function lintPrompt(prompt: string, stageLabel = 'stage'): string[] {
  const warnings: string[] = [];
  const words = countWords(prompt);
  if (words < PROMPT_WORDS_MIN) {
    warnings.push(
      `${stageLabel}: the prompt has ${words} words; ${PROMPT_WORDS_MIN}–${PROMPT_WORDS_MAX} work best (action, what to protect, environment and style, technical notes)`,
    );
  } else if (words > PROMPT_WORDS_MAX) {
    warnings.push(
      `${stageLabel}: the prompt has ${words} words; ${PROMPT_WORDS_MIN}–${PROMPT_WORDS_MAX} work best — move separate changes into their own stages`,
    );
  }
  const kinds = Object.entries(CHANGE_KINDS)
    .filter(([, pattern]) => pattern.test(prompt))
    .map(([kind]) => kind);
  if (kinds.length >= 3) {
    warnings.push(
      `${stageLabel}: the prompt asks for several unrelated changes (${kinds.join(', ')}); one change per stage gives more control`,
    );
  }
  return warnings;
}
