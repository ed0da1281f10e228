import { describe, expect, it } from 'vitest';
import { escapeHtml, html, relativeUrl, SafeHtml } from '../../../shared/report/html.js';

describe('escapeHtml', () => {
  it('escapes every character that can open markup or close an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&\``)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;',
    );
  });
});

describe('html', () => {
  it('escapes interpolated text but keeps nested templates as markup', () => {
    const name = '<script>alert(1)</script>';
    const out = html`<p title="${name}">${html`<b>${name}</b>`}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;"><b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>',
    );
  });

  it('joins lists and renders null, undefined and false as nothing', () => {
    expect(html`${['a', html`<i>b</i>`, 1]}|${null}${undefined}${false}|${0}`.value).toBe('a<i>b</i>1||0');
  });
});

describe('relativeUrl', () => {
  interface TestData {
    path: string;
    expected: string;
  }
  it.each<TestData>([
    { path: 'a/b/final.webp', expected: 'a/b/final.webp' },
    { path: 'my shots/#1?/final.webp', expected: 'my%20shots/%231%3F/final.webp' },
    { path: 'javascript:alert(1)/x.png', expected: 'javascript%3Aalert(1)/x.png' },
    { path: '"quoted"/x.png', expected: '%22quoted%22/x.png' },
  ])('encodes $path segment by segment', ({ path, expected }) => {
    expect(relativeUrl(path)).toBe(expected);
  });
});
