/**
 * The prompt vocabulary of the local engine: which phrases name which operation.
 *
 * Entries are matched in the order of {@link VOCABULARY}: specific phrases ("soften the
 * background", "darken the corners", "less vibrant") come before the general ones
 * ("soften", "darker", "vibrant") that would otherwise claim part of them.
 */

/** Every operation the local engine can perform, in the order it applies them. */
export const OPERATIONS = [
  'place-subject',
  'replace-background',
  'remove-background',
  'blur-background',
  'brighter',
  'darker',
  'more-contrast',
  'less-contrast',
  'warmer',
  'cooler',
  'golden-hour',
  'more-saturation',
  'less-saturation',
  'look-portra-400',
  'look-velvia',
  'look-teal-orange',
  'matte',
  'black-and-white',
  'sepia',
  'sharpen',
  'soften',
  'vignette',
  'film-grain',
] as const;

/** One operation name of {@link OPERATIONS}. */
export type OperationName = (typeof OPERATIONS)[number];

/** @returns true when `value` names an operation of the local engine. */
export function isOperationName(value: string): value is OperationName {
  return (OPERATIONS as readonly string[]).includes(value);
}

/** A vocabulary entry: the phrases (regular expression sources) that name one operation. */
export interface VocabularyEntry {
  op: OperationName;
  patterns: string[];
}

// ---------------------------------------------------------------------------------------------
// Internal phrase fragments

const NUM = '\\d+|one|two|three|four|five|six|seven|eight|nine';
const ORD = 'first|second|third|fourth|fifth|sixth|seventh|eighth|ninth';

/**
 * A reference to an image ("image 2", "photo #3", "the second image"), captured in the named
 * groups `<name>` (number or number word) or `<name>Ord` (ordinal word).
 */
export function imageRef(name: string): string {
  return (
    `(?:(?:image|photo|picture|img|pic)\\s*(?:#|no\\.?\\s*|number\\s+)?(?<${name}>${NUM})` +
    `|(?<${name}Ord>${ORD})\\s+(?:image|photo|picture))`
  );
}

const THE = '(?:the\\s+)?';
const BG = '(?:background|backdrop|bg)';
const LOOK =
  '(?:\\s+(?:film\\s+)?(?:look|style|grade|grading|colou?r\\s+grad(?:e|ing)|emulation|film|tones?|palette|effect|finish|filter))?';
const TEMP =
  '(?:\\s+(?:colou?r\\s+)?(?:temperature|tones?|tint|white\\s+balance|look|colou?rs?|light|lighting|feel))?';
// "the red mug from image 1", "the kitchen table in image 2": up to four words naming the part.
const PART_OF = "(?:(?:[\\p{L}'-]+\\s+){1,4}?(?:of|from|in|shown\\s+in)\\s+)?";
// What a tone edit is said of: "make the lighting warmer", "the colours cooler".
const SUBJECT_OF_TONE =
  '(?:lighting|light|tones?|colou?rs?|colou?r\\s+temperature|temperature|white\\s+balance|mood|atmosphere|exposure)' +
  '(?:\\s+(?:a\\s+(?:little\\s+)?bit|a\\s+little|slightly|much|a\\s+lot|far|way))?';
const PLACE_VERB = '(?:place|put|insert|add|composite|set|position|integrate|fuse|drop|move)';
const INTO = '(?:into|in|onto|on|inside|within|to)';

/** The vocabulary, most specific phrases first. */
export const VOCABULARY: readonly VocabularyEntry[] = [
  {
    op: 'place-subject',
    patterns: [
      `${PLACE_VERB}\\s+${THE}${PART_OF}${THE}${imageRef('subject')}\\s+${INTO}\\s+${THE}${PART_OF}${THE}${imageRef('scene')}`,
      `${INTO}\\s+${THE}${PART_OF}${THE}${imageRef('scene')}\\s*,?\\s+${PLACE_VERB}\\s+${THE}${PART_OF}${THE}${imageRef('subject')}`,
    ],
  },
  {
    op: 'replace-background',
    patterns: [
      `(?:replace|swap|change|switch|exchange|substitute)\\s+${THE}${BG}\\s+(?:with|for|to|by)\\s+${THE}(?:(?:one|scene|background|backdrop)\\s+(?:of|from|in)\\s+)?${THE}${imageRef('background')}`,
      `(?:use|make|set|put)\\s+${THE}${imageRef('background')}\\s+(?:as|into)\\s+${THE}(?:new\\s+)?${BG}`,
      `(?:new\\s+)?${BG}\\s+(?:from|of)\\s+${THE}${imageRef('background')}`,
    ],
  },
  {
    op: 'remove-background',
    patterns: [
      `(?:remove|delete|erase|drop|cut\\s+out|clear|get\\s+rid\\s+of|strip|knock\\s+out)\\s+${THE}(?:whole\\s+|entire\\s+)?${BG}`,
      `(?:make\\s+)?${THE}${BG}\\s+transparent`,
      `transparent\\s+(?:${BG}|png|cut-?out)`,
      `(?:cut\\s+out|isolate|extract)\\s+${THE}(?:main\\s+)?(?:subject|product|object|item)`,
      `${BG}\\s+removal`,
    ],
  },
  {
    op: 'blur-background',
    patterns: [
      `(?:blur|defocus|soften)\\s+(?:out\\s+)?${THE}${BG}`,
      `(?:make\\s+)?${THE}${BG}\\s+(?:blurry|blurred|blur|out\\s+of\\s+focus|defocused|soft)`,
      `blurr(?:ed|y)\\s+${BG}`,
      `(?:(?:soft|creamy|smooth|gentle|nice)\\s+)?bokeh(?:\\s+(?:effect|background|blur))?`,
      `shallow\\s+depth\\s+of\\s+field`,
    ],
  },
  {
    op: 'golden-hour',
    patterns: [
      `golden[\\s-]+hour${TEMP}`,
      `(?:sunset|late\\s+afternoon)\\s+(?:light|lighting|glow|sun)`,
      `golden\\s+(?:light|lighting|glow|sunlight)`,
    ],
  },
  {
    op: 'vignette',
    patterns: [`vignett(?:e|ing)`, `dark(?:en|er)?\\s+${THE}(?:corners|edges)`],
  },
  {
    op: 'look-portra-400',
    patterns: [`(?:kodak\\s+)?portra(?:\\s*400)?${LOOK}`],
  },
  {
    op: 'look-velvia',
    patterns: [`(?:fuji(?:film)?\\s+)?velvia(?:\\s*(?:50|100))?${LOOK}`],
  },
  {
    op: 'look-teal-orange',
    patterns: [`teal\\s*(?:and|&|-|/|\\+)\\s*orange${LOOK}`, `orange\\s*(?:and|&|-|/|\\+)\\s*teal${LOOK}`],
  },
  {
    op: 'black-and-white',
    patterns: [
      `black\\s*(?:and|&|-|\\+|n)\\s*white${LOOK}`,
      `b\\s*&\\s*w`,
      `b/w`,
      `monochrome${LOOK}`,
      `gr[ae]y\\s*scale`,
    ],
  },
  { op: 'sepia', patterns: [`sepia(?:[\\s-]+toned)?${LOOK}`] },
  {
    op: 'less-contrast',
    patterns: [
      `(?:less|lower|decrease|reduce|reduced|softer|lower|gentler|flatter)\\s+${THE}contrast`,
      `low[\\s-]contrast`,
      `contrast\\s+(?:down|reduced|lowered|decreased)`,
    ],
  },
  {
    op: 'more-contrast',
    patterns: [
      `(?:more|increase|increased|higher|boost|boosted|add|stronger|extra|raise|bump\\s+up|up|punchier)\\s+${THE}contrast(?:y)?`,
      `contrast\\s+(?:up|boost(?:ed)?|increased?|raised)`,
      `high[\\s-]contrast`,
      `contrastier`,
      `more\\s+contrasty`,
      `punch(?:ier|y)`,
    ],
  },
  {
    op: 'less-saturation',
    patterns: [
      `(?:less|lower|reduce|reduced|decrease|tone\\s+down)\\s+${THE}(?:saturation|vibrance|vibrancy|colou?rs?|colou?rfulness)`,
      `(?:less\\s+|de-?|un)saturated?`,
      `desaturate`,
      `muted(?:\\s+colou?rs?)?`,
      `less\\s+(?:vibrant|colou?rful|vivid)(?:\\s+colou?rs?)?`,
      `(?:saturation|vibrance)\\s+down`,
    ],
  },
  {
    op: 'more-saturation',
    patterns: [
      `(?:more|increase|boost|raise|higher|add|richer|stronger)\\s+${THE}(?:saturation|vibrance|vibrancy|colou?rfulness)`,
      `(?:more\\s+)?(?:saturated|vibrant|colou?rful|vivid)(?:\\s+colou?rs?)?`,
      `saturate`,
      `(?:saturation|vibrance)\\s+up`,
      `(?:richer|bolder|more\\s+intense)\\s+colou?rs?`,
    ],
  },
  {
    op: 'warmer',
    patterns: [
      // "make the lighting warmer": the thing warmed comes first, so it precedes plain "warmer".
      `${SUBJECT_OF_TONE}\\s+warmer`,
      `warm(?:er|ing)?(?:\\s+(?:it|this|the\\s+(?:image|photo|picture|colou?rs?|tones?))?\\s*up)?${TEMP}`,
      `(?:add|more|increase)\\s+${THE}warmth`,
      `(?:raise|increase)\\s+${THE}(?:colou?r\\s+)?temperature`,
      `(?:more\\s+)?golden(?:\\s+(?:tones?|tint|hue|cast|colou?rs?))?`,
    ],
  },
  {
    op: 'cooler',
    patterns: [
      `${SUBJECT_OF_TONE}\\s+cooler`,
      `cool(?:er|ing)?(?:\\s+(?:it|this|the\\s+(?:image|photo|picture|colou?rs?|tones?))?\\s*down)?${TEMP}`,
      `cold(?:er)?\\s+(?:tones?|look|colou?rs?|light|feel)`,
      `(?:lower|decrease|reduce)\\s+${THE}(?:colou?r\\s+)?temperature`,
    ],
  },
  {
    op: 'matte',
    patterns: [
      `matte?${LOOK}`,
      `faded?(?:\\s+(?:blacks|colou?rs?))?${LOOK}`,
      `lift(?:ed)?\\s+${THE}blacks`,
      `washed[\\s-]out${LOOK}`,
    ],
  },
  {
    op: 'brighter',
    patterns: [
      `${SUBJECT_OF_TONE}\\s+bright(?:er)?`,
      `bright(?:er|en)(?:\\s+up)?`,
      `lighter`,
      `lighten(?:\\s+up)?`,
      `(?:increase|raise|boost|lift|up)\\s+${THE}(?:brightness|exposure)`,
      `(?:brightness|exposure)\\s+up`,
      `more\\s+(?:brightness|exposure|light)`,
      `bright\\s+and\\s+airy`,
    ],
  },
  {
    op: 'darker',
    patterns: [
      `${SUBJECT_OF_TONE}\\s+dark(?:er)?`,
      `dark(?:er|en)`,
      `(?:decrease|lower|reduce|drop|cut)\\s+${THE}(?:brightness|exposure)`,
      `(?:brightness|exposure)\\s+down`,
      `less\\s+(?:brightness|exposure|light)`,
      `dimmer`,
      `moodier`,
    ],
  },
  {
    op: 'film-grain',
    patterns: [
      `(?:(?:film|analog(?:ue)?|fine|subtle|light|heavy|coarse)\\s+)?grain(?:y)?(?:\\s+(?:effect|texture))?`,
      `add\\s+(?:some\\s+)?noise`,
    ],
  },
  {
    op: 'sharpen',
    patterns: [
      `sharpen(?:ed)?(?:\\s+${THE}(?:details?|edges|textures?))?`,
      `sharper`,
      `(?:more|increase|add|enhance|boost)\\s+${THE}(?:sharpness|clarity|crispness|definition)`,
      `crisp(?:er)?`,
      `more\\s+detailed`,
    ],
  },
  {
    op: 'soften',
    patterns: [
      `soft(?:en|er)`,
      `(?:soft|dreamy|gentle)\\s+(?:focus|look|glow)`,
      `(?:less|reduce|decrease)\\s+${THE}(?:sharpness|clarity)`,
    ],
  },
];
