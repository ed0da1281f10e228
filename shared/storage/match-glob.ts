/**
 * Cloud Storage `matchGlob` patterns (the `objects.list` parameter): a glob matches an object's
 * whole name. Syntax, as the "List objects" page of the Cloud Storage docs gives it:
 * `*` any characters except `/`; `**` any characters including `/`; `?` one character except
 * `/`; `[chars]`, `[a-z]`, `[!chars]` one character of (not of) a class; `{a,b}` either
 * alternative (nesting allowed here); `\` makes the next character literal. The docs do not say
 * whether a class can match `/`; here it never does, as `?`.
 */

/** A compiled glob. */
export interface Glob {
  /** Whether an object name matches the whole glob. */
  matches(name: string): boolean;
  /** The literal text every matching name starts with (the glob up to its first wildcard). */
  readonly literalPrefix: string;
  /** The most `/` a matching name can hold (`Infinity` once the glob has a `**`). */
  readonly maxSlashes: number;
}

/** A glob that Cloud Storage would refuse: an unclosed `[` or `{`, a trailing `\`, a bad range. */
export class InvalidGlobError extends Error {
  constructor(
    readonly glob: string,
    reason: string,
  ) {
    super(`Invalid glob "${glob}": ${reason}`);
    this.name = 'InvalidGlobError';
  }
}

/**
 * Compiles a glob.
 * @throws InvalidGlobError for a glob Cloud Storage would refuse
 * @example compileGlob('photos/*.json').matches('photos/a.json') // true
 */
export function compileGlob(glob: string): Glob {
  const parser = new _Parser(glob);
  const parsed = parser.sequence(false);
  if (parser.pos < glob.length) throw new InvalidGlobError(glob, `unexpected "${glob[parser.pos]}"`);
  let regex: RegExp;
  try {
    regex = new RegExp(`^${parsed.source}$`, 'su');
  } catch (err) {
    throw new InvalidGlobError(glob, err instanceof Error ? err.message : String(err));
  }
  return {
    matches: (name) => regex.test(name),
    literalPrefix: parser.literalPrefix,
    maxSlashes: parsed.maxSlashes,
  };
}

/**
 * Escapes every glob metacharacter, so that the glob matches `literal` exactly.
 * @example `${escapeGlob('scans [2024]/')}*.json` // 'scans \\[2024]/*.json'
 */
export function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]{},]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

interface _Parsed {
  source: string;
  maxSlashes: number;
}

/** A recursive-descent parser from glob to regular-expression source. */
class _Parser {
  pos = 0;
  /** The literal text before the first wildcard, once the top-level sequence has reached it. */
  literalPrefix = '';
  private prefixOpen = true;

  constructor(private readonly glob: string) {}

  /** A sequence of items, ending at the end of the glob or (inside braces) at `,` or `}`. */
  sequence(inBraces: boolean): _Parsed {
    let source = '';
    let maxSlashes = 0;
    while (this.pos < this.glob.length) {
      const c = this.glob[this.pos] as string;
      if (inBraces && (c === ',' || c === '}')) break;
      this.pos++;
      if (c === '*') {
        if (this.glob[this.pos] === '*') {
          while (this.glob[this.pos] === '*') this.pos++;
          source += '.*';
          maxSlashes = Number.POSITIVE_INFINITY;
        } else source += '[^/]*';
        this.prefixOpen = false;
      } else if (c === '?') {
        source += '[^/]';
        this.prefixOpen = false;
      } else if (c === '[') {
        source += this.characterClass();
        this.prefixOpen = false;
      } else if (c === '{') {
        this.prefixOpen = false;
        const alternatives = this.alternatives();
        source += `(?:${alternatives.map((a) => a.source).join('|')})`;
        maxSlashes += Math.max(...alternatives.map((a) => a.maxSlashes));
      } else {
        const literal = c === '\\' ? this.escaped() : c;
        if (literal === '/') maxSlashes++;
        if (this.prefixOpen && !inBraces) this.literalPrefix += literal;
        source += _regexLiteral(literal);
      }
    }
    return { source, maxSlashes };
  }

  /** The alternatives of `{a,b,…}`, the opening brace consumed. */
  private alternatives(): _Parsed[] {
    const out: _Parsed[] = [];
    for (;;) {
      out.push(this.sequence(true));
      const c = this.glob[this.pos];
      if (c === undefined) throw new InvalidGlobError(this.glob, 'unclosed "{"');
      this.pos++;
      if (c === '}') return out;
    }
  }

  /** `[chars]` or `[!chars]`, the opening bracket consumed. A class never matches `/`, as `?`. */
  private characterClass(): string {
    const negated = this.glob[this.pos] === '!';
    if (negated) this.pos++;
    let set = '';
    let first = true;
    for (;;) {
      const c = this.glob[this.pos];
      if (c === undefined) throw new InvalidGlobError(this.glob, 'unclosed "["');
      this.pos++;
      if (c === ']' && !first) break;
      first = false;
      set += _classLiteral(c === '\\' ? this.escaped() : c);
      if (this.glob[this.pos] === '-' && this.glob[this.pos + 1] !== ']' && this.pos + 1 < this.glob.length) {
        this.pos++;
        const end = this.glob[this.pos++] as string;
        set += `-${_classLiteral(end === '\\' ? this.escaped() : end)}`;
      }
    }
    return negated ? `[^/${set}]` : `(?!/)[${set}]`;
  }

  /** The character after a `\`, the backslash consumed. */
  private escaped(): string {
    const c = this.glob.codePointAt(this.pos);
    if (c === undefined) throw new InvalidGlobError(this.glob, 'a trailing "\\" escapes nothing');
    const char = String.fromCodePoint(c);
    this.pos += char.length;
    return char;
  }
}

function _regexLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function _classLiteral(char: string): string {
  return char.replace(/[\\\]^[-]/g, '\\$&');
}
