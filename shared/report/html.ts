/**
 * HTML building with escaping by default: every value interpolated into {@link html} is
 * escaped unless it is already {@link SafeHtml} (the result of another `html` template).
 * Prompts, names and labels come from users; nothing of theirs reaches the page unescaped.
 */

/** A fragment of markup that is known to be safe. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What can be interpolated: text (escaped), numbers, safe fragments, lists of those, or nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for an HTML text node or a quoted attribute value.
 * @example escapeHtml('<b>"hi"</b>') // '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/**
 * A template tag that escapes every interpolated value (arrays are joined, `null`,
 * `undefined` and `false` render as nothing).
 * @example html`<p title="${name}">${prompt}</p>`
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += _render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks markup written by this module (never user input) as safe. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A relative URL for a path inside the results folder: each segment percent-encoded, so
 * that names with spaces, `#`, `?` or quotes stay one path.
 * @example relativeUrl('a b/#1/final.webp') // 'a%20b/%231/final.webp'
 */
export function relativeUrl(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function _render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(_render).join('');
  return escapeHtml(String(value));
}
