import {
  COMPOSITION_PHRASES,
  EDIT_VERBS,
  FILLER_WORDS,
  MODIFIERS,
  PROTECTION_PATTERNS,
  PROTECTION_STARTS,
} from './phrases.js';
import { type OperationName, VOCABULARY } from './vocabulary.js';

/** One edit the prompt asks for. */
export interface ParsedOperation {
  op: OperationName;
  /** The words of the prompt that named it. */
  phrase: string;
  /** 1 by default; 0.5 for "a bit"/"slightly", 1.6 for "much"/"a lot". */
  intensity: number;
  /** `place-subject`: the image whose subject is placed (1 = the stage input). */
  subjectImage?: number;
  /** `place-subject`: the image that is the scene. */
  sceneImage?: number;
  /** `replace-background`: the image that becomes the background. */
  backgroundImage?: number;
}

/** What the local engine understood of a prompt. */
export interface ParsedPrompt {
  /** Edits, in the order they appear in the prompt, one per operation. */
  operations: ParsedOperation[];
  /** Protection clauses ("keep … unchanged", "do not …"), accepted as constraints. */
  constraints: string[];
  /** Qualifying phrases that were accepted, with how the engine honours them. */
  notes: string[];
  /** Parts of the prompt nobody understood, quoted as written. */
  unrecognized: string[];
  /** Pairs of operations that contradict each other, described for a person. */
  conflicts: string[];
  /** Every image number the operations use (1 = the stage input), ascending. */
  images: number[];
}

/**
 * Parses an edit prompt into local-engine operations. Pure: no I/O, never throws.
 * Case-insensitive, tolerant of word order and filler ("please make the photo a bit warmer").
 * @param prompt the effective prompt, protection clauses included
 * @returns the operations, the accepted constraints and anything not understood
 * @example parseEditPrompt('Make it a bit warmer. Keep the logo unchanged.').operations
 * // [{ op: 'warmer', phrase: 'warmer', intensity: 0.5 }]
 */
export function parseEditPrompt(prompt: string): ParsedPrompt {
  // A folder's recipe, and the plan and the edit of one stage, parse the same prompt again and
  // again: a parse runs a few hundred regular expressions, so each prompt is parsed once.
  let parsed = PARSED.get(prompt);
  if (!parsed) {
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    parsed = _parse(prompt);
    PARSED.set(prompt, parsed);
  }
  return structuredClone(parsed);
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

/** Parsed prompts by text; callers get a copy, so none can change another's result. */
const PARSED = new Map<string, ParsedPrompt>();
const PARSED_MAX = 256;

function _parse(prompt: string): ParsedPrompt {
  const claimed = new Uint8Array(prompt.length);
  const constraints = _matchProtections(prompt, claimed);
  const found = _matchVocabulary(prompt, claimed);
  const notes: string[] = [];
  if (found.some((f) => f.op.op === 'place-subject' || f.op.op === 'replace-background')) {
    for (const phrase of COMPOSITION_PHRASES) {
      for (const m of _unclaimedMatches(prompt, phrase.pattern, claimed)) {
        _claim(claimed, m.index, m.index + m[0].length);
        notes.push(`"${m[0].trim()}": ${phrase.note}`);
      }
    }
  }
  _applyModifiers(prompt, claimed, found);
  const operations = _dedupe(found.sort((a, b) => a.start - b.start).map((f) => f.op));
  const images = new Set<number>();
  for (const op of operations) {
    for (const n of [op.subjectImage, op.sceneImage, op.backgroundImage]) if (n !== undefined) images.add(n);
  }
  return {
    operations,
    constraints,
    notes,
    unrecognized: _leftovers(prompt, claimed),
    conflicts: _conflicts(operations),
    images: [...images].sort((a, b) => a - b),
  };
}

interface Found {
  op: ParsedOperation;
  start: number;
  end: number;
}

const NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const CONJUNCTIONS: ReadonlySet<string> = new Set(['and', 'then', 'also', 'plus', 'but', 'or', 'with']);
const CLAUSE_BREAK = /[.;:!?,\n]/;

/** Compiled patterns by source and flags (the phrase tables are fixed: the maps stay small). */
const COMPILED = { g: new Map<string, RegExp>(), test: new Map<string, RegExp>() };

/**
 * A pattern as a whole-word, case-insensitive global regular expression, compiled once and
 * handed out with `lastIndex` at 0; one caller at a time may step through it with `exec`.
 */
function _regex(pattern: string): RegExp {
  let re = COMPILED.g.get(pattern);
  if (!re) {
    re = new RegExp(_wholeWords(pattern), 'giu');
    COMPILED.g.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Whether the pattern occurs in `text` as whole words (a non-global copy: no `lastIndex`). */
function _occurs(pattern: string, text: string): boolean {
  let re = COMPILED.test.get(pattern);
  if (!re) {
    re = new RegExp(_wholeWords(pattern), 'iu');
    COMPILED.test.set(pattern, re);
  }
  return re.test(text);
}

function _wholeWords(pattern: string): string {
  return `(?<![\\p{L}\\p{N}])(?:${pattern})(?![\\p{L}\\p{N}])`;
}

function _claim(claimed: Uint8Array, start: number, end: number): void {
  claimed.fill(1, start, end);
}

function _unclaimedMatches(text: string, pattern: string, claimed: Uint8Array): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  for (const m of text.matchAll(_regex(pattern))) {
    if (m[0].length > 0 && !claimed.subarray(m.index, m.index + m[0].length).includes(1)) out.push(m);
  }
  return out;
}

function _matchProtections(prompt: string, claimed: Uint8Array): string[] {
  const constraints: { start: number; text: string }[] = [];
  // A later clause that starts a new edit or a new protection ends this one, wherever the
  // clauses stand ("make it warmer, do not make it cooler, and keep the grass unchanged").
  // "keep … unchanged" is closed by its own last word, so "keep the logo and keep the handle
  // unchanged" is one clause; an open-ended "do not …" also ends where a protection starts.
  const lead = '(?:,|\\band\\b|\\bthen\\b|\\bbut\\b)\\s*(?:please\\s+)?(?:also\\s+)?';
  const closedCut = new RegExp(`${lead}${EDIT_VERBS}\\b`, 'i');
  const openCut = new RegExp(`${lead}(?:${EDIT_VERBS}|${PROTECTION_STARTS})\\b`, 'i');
  for (const pattern of PROTECTION_PATTERNS) {
    const re = _regex(pattern);
    const cut = pattern.endsWith('[^.;!?]+') ? openCut : closedCut;
    for (let m = re.exec(prompt); m !== null; m = re.exec(prompt)) {
      const stop = cut.exec(m[0]);
      let text = stop ? m[0].slice(0, stop.index) : m[0];
      const taken = claimed.subarray(m.index, m.index + text.length).indexOf(1);
      if (taken >= 0) text = text.slice(0, taken);
      text = text.replace(/[\s,]+$/, '').replace(/\s+(?:and|then|but)$/i, '');
      // Scan again right after what was kept: a cut clause may hide the next one.
      re.lastIndex = m.index + Math.max(1, text.length);
      // "keep … unchanged" needs its closing word; a cut one is not a constraint.
      if (claimed[m.index] === 1 || !_occurs(pattern, text)) continue;
      _claim(claimed, m.index, m.index + text.length);
      constraints.push({ start: m.index, text: text.trim() });
    }
  }
  return constraints.sort((a, b) => a.start - b.start).map((c) => c.text);
}

function _imageNumber(
  groups: Record<string, string | undefined> | undefined,
  name: string,
): number | undefined {
  const raw = groups?.[name]?.toLowerCase();
  if (raw !== undefined) return NUMBER_WORDS.includes(raw) ? NUMBER_WORDS.indexOf(raw) + 1 : Number(raw);
  const ord = groups?.[`${name}Ord`]?.toLowerCase();
  return ord === undefined ? undefined : ORDINALS.indexOf(ord) + 1;
}

function _matchVocabulary(prompt: string, claimed: Uint8Array): Found[] {
  const found: Found[] = [];
  for (const entry of VOCABULARY) {
    for (const pattern of entry.patterns) {
      for (const m of _unclaimedMatches(prompt, pattern, claimed)) {
        const end = m.index + m[0].length;
        _claim(claimed, m.index, end);
        const op: ParsedOperation = { op: entry.op, phrase: m[0], intensity: 1 };
        const subject = _imageNumber(m.groups, 'subject');
        const scene = _imageNumber(m.groups, 'scene');
        const background = _imageNumber(m.groups, 'background');
        if (subject !== undefined) op.subjectImage = subject;
        if (scene !== undefined) op.sceneImage = scene;
        if (background !== undefined) op.backgroundImage = background;
        for (const modifier of MODIFIERS) {
          if (_occurs(modifier.pattern, m[0])) op.intensity = modifier.factor;
        }
        found.push({ op, start: m.index, end });
      }
    }
  }
  return found;
}

function _sameClause(prompt: string, a: number, b: number): boolean {
  const [from, to] = a < b ? [a, b] : [b, a];
  return !CLAUSE_BREAK.test(prompt.slice(from, to));
}

function _applyModifiers(prompt: string, claimed: Uint8Array, found: Found[]): void {
  for (const modifier of MODIFIERS) {
    for (const m of _unclaimedMatches(prompt, modifier.pattern, claimed)) {
      const start = m.index;
      const end = start + m[0].length;
      _claim(claimed, start, end);
      let best: Found | undefined;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (const f of found) {
        // A modifier usually precedes what it modifies: ties go to the following operation.
        const distance = f.start >= end ? f.start - end : start - f.end + 0.5;
        if (
          distance < bestDistance &&
          _sameClause(prompt, Math.min(start, f.start), Math.max(end, f.end) - 1)
        ) {
          best = f;
          bestDistance = distance;
        }
      }
      if (best) best.op.intensity = modifier.factor;
    }
  }
}

function _dedupe(operations: ParsedOperation[]): ParsedOperation[] {
  const byKey = new Map<string, ParsedOperation>();
  for (const op of operations) {
    const key = [op.op, op.subjectImage, op.sceneImage, op.backgroundImage].join('/');
    const seen = byKey.get(key);
    if (seen) seen.intensity = Math.max(seen.intensity, op.intensity);
    else byKey.set(key, op);
  }
  return [...byKey.values()];
}

const OPPOSITES: readonly [OperationName, OperationName][] = [
  ['warmer', 'cooler'],
  ['brighter', 'darker'],
  ['more-contrast', 'less-contrast'],
  ['more-saturation', 'less-saturation'],
  ['sharpen', 'soften'],
  ['remove-background', 'blur-background'],
  ['remove-background', 'replace-background'],
  ['remove-background', 'place-subject'],
  ['replace-background', 'place-subject'],
];

function _conflicts(operations: ParsedOperation[]): string[] {
  const out: string[] = [];
  const phrase = (name: OperationName) => operations.find((o) => o.op === name)?.phrase;
  for (const [a, b] of OPPOSITES) {
    const pa = phrase(a);
    const pb = phrase(b);
    if (pa !== undefined && pb !== undefined) out.push(`"${pa}" (${a}) contradicts "${pb}" (${b})`);
  }
  const counts = new Map<OperationName, number>();
  for (const o of operations) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  for (const [op, count] of counts) {
    if (count > 1) out.push(`${op} is asked for ${count} times with different images`);
  }
  return out;
}

function _leftovers(prompt: string, claimed: Uint8Array): string[] {
  const out: string[] = [];
  let first = -1;
  let last = -1;
  const flush = () => {
    if (first >= 0) out.push(prompt.slice(first, last));
    first = -1;
  };
  const word = /[\p{L}\p{N}][\p{L}\p{N}'’&/+-]*/gu;
  let cursor = 0;
  for (const m of prompt.matchAll(word)) {
    const start = m.index;
    const end = start + m[0].length;
    const between = prompt.slice(cursor, start);
    if (claimed.subarray(cursor, start).includes(1) || CLAUSE_BREAK.test(between)) flush();
    cursor = end;
    if (claimed.subarray(start, end).includes(1)) {
      flush();
      continue;
    }
    const bare = m[0].toLowerCase().replace(/['’]s$/, '');
    if (CONJUNCTIONS.has(bare)) flush();
    if (FILLER_WORDS.has(bare)) continue;
    if (first < 0) first = start;
    last = end;
  }
  flush();
  return out;
}
