import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/errors.js';
import { FIXTURES_DIR } from '../../fixtures/index.js';

const DOC = readFileSync(join(FIXTURES_DIR, '..', '..', 'docs', 'failure-handling.md'), 'utf8');

/** Rows of the error-code table: code → [meaning, what to do, retried]. */
const rows = new Map(
  DOC.split('\n')
    .map((line) => /^\| `([A-Z_]+)` \| (.+) \| (.+) \| (yes|no) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, { meaning: m[2], todo: m[3], retried: m[4] }]),
);

describe('docs/failure-handling.md', () => {
  it('has one row for every code in ERROR_CODES, and no other', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('marks every code ERROR_CODES calls transient as retried', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      if (meaning.includes('(transient)')) expect(rows.get(code)?.retried, code).toBe('yes');
    }
    expect(rows.get('ATTEMPTS_EXHAUSTED')?.retried).toBe('no');
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(join(FIXTURES_DIR, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('<!-- error-codes:start -->'),
      readme.indexOf('<!-- error-codes:end -->'),
    );
    const tableRows = (text: string) => text.split('\n').filter((line) => line.startsWith('| `'));
    expect(tableRows(section)).toEqual(tableRows(DOC));
  });

  it('has a paragraph for each delivery guarantee', () => {
    for (const topic of [
      'Duplicates',
      'Leases, takeover and fencing',
      'Resume',
      'Time budget',
      'Attempts',
      'Input defences',
      'Isolation',
    ]) {
      expect(DOC).toContain(`**${topic}.**`);
    }
  });
});
