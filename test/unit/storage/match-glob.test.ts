import { describe, expect, it } from 'vitest';
import { compileGlob, escapeGlob, InvalidGlobError } from '../../../shared/storage/match-glob.js';

interface TestData {
  glob: string;
  matches: string[];
  misses: string[];
}

const CASES: TestData[] = [
  { glob: 'a.json', matches: ['a.json'], misses: ['a.jsonx', 'xa.json', 'a_json'] },
  { glob: 'f/*.json', matches: ['f/a.json', 'f/.json', 'f/a b.json'], misses: ['f/s/a.json', 'g/a.json'] },
  { glob: 'f/**.json', matches: ['f/a.json', 'f/s/t/a.json'], misses: ['f/a.png', 'g/a.json'] },
  { glob: '**', matches: ['', 'a', 'a/b/c'], misses: [] },
  { glob: 'f/?.png', matches: ['f/a.png', 'f/é.png', 'f/😀.png'], misses: ['f/ab.png', 'f/.png', 'f//.png'] },
  { glob: 'f/[ab].png', matches: ['f/a.png', 'f/b.png'], misses: ['f/c.png', 'f/ab.png'] },
  { glob: 'f/[a-c]x', matches: ['f/ax', 'f/bx', 'f/cx'], misses: ['f/dx', 'f/-x'] },
  { glob: 'f/[!ab].png', matches: ['f/c.png', 'f/-.png'], misses: ['f/a.png', 'f/b.png', 'f//.png'] },
  { glob: 'f/[]]x', matches: ['f/]x'], misses: ['f/x'] },
  { glob: 'f/[a-]x', matches: ['f/ax', 'f/-x'], misses: ['f/bx'] },
  { glob: 'f/*.{png,jpg}', matches: ['f/a.png', 'f/a.jpg'], misses: ['f/a.gif', 'f/a.{png,jpg}'] },
  { glob: '{a,b/{c,d}}', matches: ['a', 'b/c', 'b/d'], misses: ['b', 'b/e', 'a,b'] },
  { glob: 'f/{,x}y', matches: ['f/y', 'f/xy'], misses: ['f/xxy'] },
  { glob: 'a,b}', matches: ['a,b}'], misses: ['a'] },
  { glob: 'f\\[1]/\\*\\?\\{\\}\\\\', matches: ['f[1]/*?{}\\'], misses: ['f1/*?{}\\', 'f[1]/a?{}\\'] },
  { glob: 'f.(x)+$^|', matches: ['f.(x)+$^|'], misses: ['fa(x)+$^|', 'f.xx$^|'] },
  { glob: 'f/*', matches: ['f/line\nbreak'], misses: ['f/a/b'] },
];

describe('compileGlob', () => {
  describe('matches', () => {
    it.each(CASES)('$glob', ({ glob, matches, misses }) => {
      const compiled = compileGlob(glob);
      for (const name of matches) expect(compiled.matches(name), `${glob} ~ ${name}`).toBe(true);
      for (const name of misses) expect(compiled.matches(name), `${glob} !~ ${name}`).toBe(false);
    });
  });

  describe('literalPrefix', () => {
    it.each([
      ['f/*.json', 'f/'],
      ['a\\[1]/x?', 'a[1]/x'],
      ['f/{a,b}', 'f/'],
      ['f/[ab]', 'f/'],
      ['*', ''],
      ['plain', 'plain'],
    ])('of %s is %j', (glob, prefix) => {
      expect(compileGlob(glob).literalPrefix).toBe(prefix);
    });
  });

  describe('maxSlashes', () => {
    it.each([
      ['f/*.json', 1],
      ['f/g/*', 2],
      ['{a,b/c/d}', 2],
      ['a\\/b', 1],
      ['f/**.json', Number.POSITIVE_INFINITY],
      ['?[!a]*', 0],
    ])('of %s is %d', (glob, max) => {
      expect(compileGlob(glob).maxSlashes).toBe(max);
    });
  });

  describe('invalid globs', () => {
    it.each([
      ['f/[ab', /unclosed "\["/],
      ['f/[]', /unclosed "\["/],
      ['f/{a,b', /unclosed "\{"/],
      ['f/{a,{b}', /unclosed "\{"/],
      ['f/\\', /trailing "\\"/],
      ['f/[z-a]', /Invalid glob "f\/\[z-a\]"/],
    ])('throws InvalidGlobError for %s', (glob, message) => {
      expect(() => compileGlob(glob)).toThrow(InvalidGlobError);
      expect(() => compileGlob(glob)).toThrow(message);
    });
  });
});

describe('escapeGlob', () => {
  it.each([
    'plain/folder/',
    'a[1]/',
    'what?/*/',
    '{a,b}/',
    'back\\slash/',
    'scans [2024] {draft}, *final*?/',
  ])('makes %j match only itself', (literal) => {
    const glob = compileGlob(escapeGlob(literal));
    expect(glob.matches(literal)).toBe(true);
    expect(glob.literalPrefix).toBe(literal);
    expect(glob.matches(`${literal}x`)).toBe(false);
  });

  it('keeps a folder literal in front of a wildcard', () => {
    const glob = compileGlob(`${escapeGlob('a[1]/')}*.json`);
    expect(glob.matches('a[1]/s.json')).toBe(true);
    expect(glob.matches('a1/s.json')).toBe(false);
    expect(glob.matches('a[1]/sub/s.json')).toBe(false);
  });
});
