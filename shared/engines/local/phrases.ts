/**
 * Words and phrases around the vocabulary: protection clauses, intensity modifiers,
 * phrases that only qualify a composition, and filler words that carry no edit.
 */

/**
 * Protection clauses of the editing guide: constraints, never edits. The pipeline composes
 * `Keep <a>, <b> and <c> unchanged; preserve all other details.` and `Do not <x>; do not <y>.`
 */
export const PROTECTION_PATTERNS: readonly string[] = [
  `keep\\s+[^.;!?]+?\\s+(?:unchanged|intact|untouched|identical|the\\s+same|as\\s+(?:it\\s+is|they\\s+are|is))`,
  `leave\\s+[^.;!?]+?\\s+(?:unchanged|intact|untouched|alone|as\\s+(?:it\\s+is|they\\s+are|is))`,
  `(?:preserve|retain|maintain|protect)\\s+[^.;!?]+`,
  `(?:do\\s+not|don't|dont|never|avoid|without|no)\\s+[^.;!?]+`,
];

/**
 * Inside a protection clause, a later part that starts with one of these verbs is a new edit,
 * not part of the constraint ("do not crop the product, and make it warmer").
 */
export const EDIT_VERBS =
  '(?:make|add|apply|turn|convert|give|remove|blur|replace|place|put|insert|increase|decrease|boost|reduce|lower|raise|sharpen|soften|warm|cool|brighten|darken|use|swap|change)';

/** The words that open a protection clause: a later one inside a clause starts a new clause. */
export const PROTECTION_STARTS =
  "(?:keep|leave|preserve|retain|maintain|protect|do\\s+not|don't|dont|never|avoid)";

/** Intensity modifiers and the factor they apply to the nearest operation in their clause. */
export const MODIFIERS: readonly { pattern: string; factor: number }[] = [
  {
    pattern:
      '(?:just\\s+)?(?:a\\s+(?:little\\s+|tiny\\s+|wee\\s+)?bit|a\\s+little|a\\s+touch|a\\s+hint|slightly|somewhat|subtly|subtle|gently|gentle|mildly|mild|lightly|a\\s+tad)',
    factor: 0.5,
  },
  {
    pattern:
      '(?:a\\s+lot|lots|much|way|far|very|strongly|strong|heavily|heavy|really|significantly|considerably|dramatically|intense|intensely)',
    factor: 1.6,
  },
];

/**
 * Phrases that qualify a composition (`place-subject`, `replace-background`): what the engine
 * does anyway, or approximates. Accepted only when such an operation is in the prompt.
 */
export const COMPOSITION_PHRASES: readonly { pattern: string; note: string }[] = [
  {
    pattern:
      "(?:while\\s+|and\\s+)?match(?:ing|es)?\\s+(?:the\\s+)?(?:natural\\s+|ambient\\s+|scene'?s?\\s+)?(?:lighting|light|colou?rs?|brightness|exposure|white\\s+balance|tones?)(?:\\s+(?:direction|and\\s+(?:colou?rs?|brightness|shadows?|lighting|light)))*(?:\\s+of\\s+(?:the\\s+)?scene)?",
    note: 'lighting is matched by colour/brightness transfer and a contact shadow cast away from the brighter side; the subject is not relit',
  },
  {
    pattern:
      '(?:with\\s+)?(?:a\\s+)?(?:soft\\s+|realistic\\s+|natural\\s+|subtle\\s+)*(?:contact\\s+|drop\\s+|ground\\s+)?shadows?(?:\\s+(?:underneath|below|beneath)(?:\\s+(?:it|the\\s+\\w+))?)?',
    note: 'a soft contact shadow is drawn under the subject',
  },
  {
    pattern:
      '(?:scaled?|sized?|placed|positioned)\\s+(?:naturally|sensibly|realistically|appropriately|correctly|to\\s+fit)|(?:natural|realistic|sensible)\\s+(?:scale|size|placement|position|perspective)',
    note: 'the subject is scaled to about 45% of the scene height and stands on the lower third',
  },
];

/** Words that carry no edit of their own; anything else left over is not understood. */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or then also plus but so too as to of for in on at by with from into onto it its it's this that " +
    'these those them they their there here please kindly can could would will should you me my i we us our let ' +
    "let's want like need just now first next finally overall bit more make makes making made give apply add " +
    'turn convert get set look looks looking feel style effect tone tones image images photo photos picture pictures ' +
    'pic shot whole entire slightly little nice nicely some is be are was been being mode version result keep ' +
    'thanks thank while same edit'
  ).split(/\s+/),
);
