/**
 * Position and scale phrases of a placement prompt ("on the floor", "bottom left", "small",
 * "fills the frame", "on the table"), read from the raw prompt: by the local engine next to its
 * vocabulary parser, and by protected stages to lay the product out.
 */

/** Where and how large the subject goes; absent fields keep the engine's defaults. */
export interface PlacementGeometry {
  /** Share of the scene's height the subject is scaled to. */
  scale?: { phrase: string; height: number; width: number } | undefined;
  horizontal?: 'left' | 'centre' | 'right' | undefined;
  vertical?: 'top' | 'bottom' | undefined;
  /** A surface to stand on: its base goes onto the scene's ground line. */
  surface?: 'floor' | 'table' | undefined;
  /** The phrases that were read, for the stage's details. */
  phrases: string[];
}

interface Rule {
  pattern: RegExp;
  apply: (g: PlacementGeometry, phrase: string) => void;
}

/** Share of the scene's height (and at most of its width) per size phrase. */
const SCALES = {
  small: { height: 0.25, width: 0.35 },
  large: { height: 0.62, width: 0.75 },
  fill: { height: 0.9, width: 0.95 },
} as const;

const RULES: Rule[] = [
  {
    pattern: /\bfill(?:s|ing)? (?:the|all of the|most of the) (?:frame|scene|image|picture)\b/,
    apply: (g, p) => {
      g.scale = { phrase: p, ...SCALES.fill };
    },
  },
  {
    pattern: /\b(?:small|smaller|tiny|little)\b/,
    apply: (g, p) => {
      g.scale ??= { phrase: p, ...SCALES.small };
    },
  },
  {
    pattern: /\b(?:large|larger|big|bigger)\b/,
    apply: (g, p) => {
      g.scale ??= { phrase: p, ...SCALES.large };
    },
  },
  {
    pattern: /\bon the (?:floor|ground)\b/,
    apply: (g) => {
      g.surface = 'floor';
    },
  },
  {
    pattern: /\bon (?:the|a) (?:table|tabletop|counter|countertop|worktop|desk|shelf)\b/,
    apply: (g) => {
      g.surface = 'table';
    },
  },
  {
    pattern: /\bleft\b/,
    apply: (g) => {
      g.horizontal = 'left';
    },
  },
  {
    pattern: /\bright\b/,
    apply: (g) => {
      g.horizontal = 'right';
    },
  },
  {
    pattern: /\b(?:centre|center|centred|centered|middle)\b/,
    apply: (g) => {
      g.horizontal ??= 'centre';
    },
  },
  {
    pattern: /\bbottom\b/,
    apply: (g) => {
      g.vertical = 'bottom';
    },
  },
  {
    pattern: /\btop\b/,
    apply: (g) => {
      g.vertical = 'top';
    },
  },
];

/** Words that may surround a geometry phrase in a fragment the vocabulary parser left over. */
const FILLER =
  /\b(?:the|a|an|at|in|on|of|so|it|its|and|to|is|be|place|put|corner|side|of the|size|sized|scale|scaled)\b/g;

/**
 * Reads the geometry phrases of a prompt.
 * @returns the geometry; `phrases` is empty when the prompt has none
 * @example placementGeometry('Place image 1 on the floor of image 2, bottom left, small')
 *   // { surface: 'floor', horizontal: 'left', vertical: 'bottom', scale: { phrase: 'small', … }, … }
 */
export function placementGeometry(prompt: string): PlacementGeometry {
  const text = prompt.toLowerCase();
  const geometry: PlacementGeometry = { phrases: [] };
  for (const rule of RULES) {
    const match = rule.pattern.exec(text);
    if (!match) continue;
    rule.apply(geometry, match[0]);
    geometry.phrases.push(match[0]);
  }
  return geometry;
}

/**
 * Drops the fragments the vocabulary parser could not read that are geometry phrases only
 * ("floor", "bottom left", "small", "fills the frame"), so they are honoured instead of refused.
 */
export function withoutGeometry(unrecognized: readonly string[]): string[] {
  return unrecognized.filter((fragment) => {
    let rest = fragment.toLowerCase();
    for (const rule of RULES) rest = rest.replace(new RegExp(rule.pattern.source, 'g'), ' ');
    rest = rest.replace(/\b(?:floor|ground|table|counter|desk|shelf)\b/g, ' ').replace(FILLER, ' ');
    return rest.replace(/[^a-z0-9]+/g, '') !== '';
  });
}
