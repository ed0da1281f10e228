import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../shared/marketplace/index.js';
import { renderChecks } from '../../../shared/report/render-checks.js';

describe('renderChecks', () => {
  it('names each checked file as it is written (final.jpg for a JPEG)', () => {
    const result: CheckResult = {
      check: 'min-side',
      role: 'final',
      format: 'jpeg',
      measured: 2000,
      limit: 'longest side ≥ 1000 px',
      verdict: 'pass',
      severity: 'error',
    };
    const page = String(renderChecks([result, { ...result, role: 'listing', format: 'webp' }]));
    expect(page).toContain('<td>final.jpg</td>');
    expect(page).toContain('<td>listing.webp</td>');
    expect(page).not.toContain('final.jpeg');
  });
});
