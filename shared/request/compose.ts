import type { StageInput } from './schema.js';

/**
 * Joins a list the way a sentence does: `a`, `a and b`, `a, b and c`.
 */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function stripEndPunctuation(text: string): string {
  return text.trim().replace(/[.;,\s]+$/, '');
}

/**
 * Composes the effective prompt of a stage from its prompt and its protection lists,
 * as the editing guide advises: `keep` → "Keep … unchanged; preserve all other
 * details.", `avoid` → "Do not …".
 * @example composePrompt({ prompt: 'Replace the background with a beach', keep: ['the face'], avoid: ['add text'] })
 * // 'Replace the background with a beach. Keep the face unchanged; preserve all other details. Do not add text.'
 */
export function composePrompt(stage: Pick<StageInput, 'prompt' | 'keep' | 'avoid'>): string {
  if (stage.prompt === undefined) return '';
  const parts = [`${stripEndPunctuation(stage.prompt)}.`];
  if (stage.keep.length > 0) {
    parts.push(
      `Keep ${joinList(stage.keep.map(stripEndPunctuation))} unchanged; preserve all other details.`,
    );
  }
  if (stage.avoid.length > 0) {
    const clauses = stage.avoid.map((a) => stripEndPunctuation(a).replace(/^(do not|don't|never)\s+/i, ''));
    parts.push(`Do not ${clauses.join('; do not ')}.`);
  }
  return parts.join(' ');
}
