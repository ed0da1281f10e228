/**
 * The two expansions of a function's configuration the static model makes, as Terraform would,
 * so that policies read a function's environment and secret mounts literally even when both
 * functions share them through locals (infra/function-env.tf):
 * - `environment_variables = local.x` or `merge(local.x, { K = expr, … }, …)` becomes the map;
 * - a `dynamic` block whose `for_each` is a local holding
 *   `merge({ for s in COLLECTION : "KEY" => s.attr }, …)` becomes one dynamic block per entry,
 *   iterating COLLECTION with the literal KEY, which is the shape of a hand-written block
 *   (`for_each = COLLECTION`, `key = "KEY"`, `… = ITER.value.attr`).
 * Anything else is left as it is; an environment that cannot be resolved throws.
 */

/** One HCL block as hcl2json renders it. */
type Block = Record<string, unknown>;

/** A map built by `{ for s in COLLECTION : "KEY" => VALUE }`: one entry per element of COLLECTION. */
export interface ForEntry {
  key: string;
  /** The collection iterated, e.g. `google_secret_manager_secret.webhook_secret`. */
  collection: string;
  /** The value with the loop variable written as `@`, e.g. `@.secret_id`. */
  value: string;
}

/**
 * Resolves an `environment_variables` value to its map.
 * @param locals the module's locals
 * @param value the attribute as hcl2json renders it
 * @returns the map; values stay expressions (`"${var.x}"`) as in a literal block
 * @throws Error naming the expression when it is neither a map, a local nor a `merge` of those
 * @example resolveMapExpression({ env: { A: 'x' } }, '${merge(local.env, { B = var.b })}') // { A: 'x', B: '${var.b}' }
 */
export function resolveMapExpression(locals: Record<string, unknown>, value: unknown): Block {
  return _resolveMap(locals, value, 0);
}

/**
 * Reads `merge({ for s in C : "K" => V }, …)` or one such for expression.
 * @returns the entries, or undefined when the expression has another shape
 */
export function parseForEntries(expression: string): ForEntry[] | undefined {
  const args = _mergeArgs(expression) ?? [expression];
  const entries: ForEntry[] = [];
  for (const arg of args) {
    const m = /^\{\s*for\s+(\w+)\s+in\s+([\w.[\]*]+)\s*:\s*"([^"]+)"\s*=>\s*(.+?)\s*\}$/s.exec(arg.trim());
    if (!m) return undefined;
    const [, name = '', collection = '', key = '', val = ''] = m;
    entries.push({ key, collection, value: val.replace(new RegExp(`\\b${name}\\b`, 'g'), '@') });
  }
  return entries;
}

/**
 * Expands, in a `service_config`-like block, the environment map and the dynamic blocks over
 * locals (see the file comment).
 * @param locals the module's locals
 * @param block the block, left unchanged
 * @returns a new block
 */
export function expandFunctionBlock(locals: Record<string, unknown>, block: Block): Block {
  const out: Block = { ...block };
  if ('environment_variables' in block) {
    out.environment_variables = resolveMapExpression(locals, block.environment_variables);
  }
  if (Array.isArray(block.dynamic)) {
    out.dynamic = block.dynamic.map((d: Block) => _expandDynamics(locals, d));
  } else if (block.dynamic && typeof block.dynamic === 'object') {
    out.dynamic = _expandDynamics(locals, block.dynamic as Block);
  }
  return out;
}

// --- internals ------------------------------------------------------------------

function _resolveMap(locals: Record<string, unknown>, value: unknown, depth: number): Block {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Block;
  const expr = typeof value === 'string' ? /^\$\{(.*)\}$/s.exec(value)?.[1]?.trim() : undefined;
  if (expr === undefined || depth > 8) throw _unresolved(value);
  const local = /^local\.(\w+)$/.exec(expr);
  if (local?.[1]) {
    if (!(local[1] in locals)) throw new Error(`local.${local[1]} is not defined`);
    return _resolveMap(locals, locals[local[1]], depth + 1);
  }
  const args = _mergeArgs(expr);
  if (!args) throw _unresolved(value);
  const merged: Block = {};
  for (const arg of args) {
    const a = arg.trim();
    Object.assign(merged, a.startsWith('{') ? _objectLiteral(a) : _resolveMap(locals, `\${${a}}`, depth + 1));
  }
  return merged;
}

function _unresolved(value: unknown): Error {
  return new Error(
    `cannot resolve environment_variables ${JSON.stringify(value)}: use a map, local.NAME or merge(...) of those`,
  );
}

/** The top-level arguments of `merge(a, b, …)`, or undefined when `expr` is not a merge call. */
function _mergeArgs(expr: string): string[] | undefined {
  const m = /^merge\((.*)\)$/s.exec(expr.trim());
  return m?.[1] === undefined ? undefined : _splitTopLevel(m[1], ',');
}

/** Splits on `separator` outside brackets, braces, parentheses and strings. */
function _splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** `{ K = expr \n "K2" = "lit", … }` rendered as hcl2json renders a literal map. */
function _objectLiteral(text: string): Block {
  const body = text.slice(1, -1);
  const out: Block = {};
  for (const line of _splitTopLevel(body.replace(/\n/g, ','), ',')) {
    const m = /^"?([\w-]+)"?\s*[=:]\s*(.+)$/s.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new Error(`cannot read map entry "${line}"`);
    out[m[1]] = _literal(m[2].trim());
  }
  return out;
}

function _literal(expr: string): unknown {
  if (/^"[^"$]*"$/.test(expr)) return expr.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
  if (expr === 'true' || expr === 'false') return expr === 'true';
  return `\${${expr}}`;
}

/** One `dynamic` attribute (`{ name: [ { for_each, content, iterator? } ] }`), expanded. */
function _expandDynamics(locals: Record<string, unknown>, dynamic: Block): Block {
  const out: Block = {};
  for (const [name, list] of Object.entries(dynamic)) {
    if (!Array.isArray(list)) {
      out[name] = list;
      continue;
    }
    out[name] = list.flatMap((d: Block) => _expandDynamic(locals, name, d));
  }
  return out;
}

function _expandDynamic(locals: Record<string, unknown>, name: string, d: Block): Block[] {
  const local = typeof d.for_each === 'string' ? /^\$\{local\.(\w+)\}$/.exec(d.for_each)?.[1] : undefined;
  const source = local === undefined ? undefined : locals[local];
  const inner = typeof source === 'string' ? /^\$\{(.*)\}$/s.exec(source)?.[1] : undefined;
  const entries = inner === undefined ? undefined : parseForEntries(inner);
  if (!entries) return [d];
  // hcl2json renders `iterator = m` as "${m}".
  const iter = typeof d.iterator === 'string' ? d.iterator.replace(/^\$\{(\w+)\}$/, '$1') : name;
  return entries.map((entry) => ({
    ...d,
    for_each: `\${${entry.collection}}`,
    content: _substitute(d.content, iter, entry),
  }));
}

/** Writes an entry into a block's content: `ITER.key` → the key, `ITER.value` → its value. */
function _substitute(value: unknown, iter: string, entry: ForEntry): unknown {
  if (typeof value === 'string') {
    if (value === `\${${iter}.key}`) return entry.key;
    const valueExpr = entry.value.replace(/@/g, `${iter}.value`);
    return value
      .replace(new RegExp(`\\b${iter}\\.key\\b`, 'g'), `"${entry.key}"`)
      .replace(new RegExp(`\\b${iter}\\.value\\b(?!\\.)`, 'g'), valueExpr);
  }
  if (Array.isArray(value)) return value.map((v) => _substitute(v, iter, entry));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, _substitute(v, iter, entry)]));
  }
  return value;
}
