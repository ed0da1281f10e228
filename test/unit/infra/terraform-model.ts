import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { expandFunctionBlock } from './terraform-expand.js';

/**
 * A static model of a Terraform root module, parsed with `@cdktf/hcl2json` (no
 * terraform binary, no providers). Expressions stay strings such as
 * `"${var.region}"`; `resolveValue` follows plain `var.` and `local.` references.
 * A function's `environment_variables` and its `dynamic` blocks over locals are expanded as
 * Terraform would (terraform-expand.ts), so they read as literal blocks.
 */

/** One HCL block as hcl2json renders it: attributes, and nested blocks as arrays. */
export type Block = Record<string, unknown>;

/** The parts of a module the policy reads. */
export interface TerraformConfig {
  /** `resource "type" "name"` → `resources[type][name]` */
  resources: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variables: Record<string, Block>;
  locals: Record<string, unknown>;
}

/** A nested block, static or produced by a `dynamic` block. */
export interface NestedBlock {
  block: Block;
  /** The `for_each` expression when the block is dynamic. */
  forEach?: unknown;
}

type Raw = Record<string, unknown>;

/**
 * Parses and merges the `.tf` sources of one module.
 * @param files the module's files
 * @throws Error when HCL does not parse or a block is declared twice
 */
export async function parseTerraform(files: { name: string; contents: string }[]): Promise<TerraformConfig> {
  let raw: Raw = {};
  for (const file of files) raw = _mergeModule(raw, await parse(file.name, file.contents), file.name);
  return _expandFunctions(_normalize(raw));
}

/**
 * Loads every `*.tf` file of a directory (not recursively).
 * @param dir the module directory
 */
export async function loadTerraformDir(dir: string): Promise<TerraformConfig> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ name, contents: await readFile(join(dir, name), 'utf8') })),
  );
  return parseTerraform(files);
}

/**
 * Merges a `.tf` file over a parsed module, as a test device (not Terraform's
 * override semantics): an attribute replaces, a map or a nested block merges.
 * @param base the module, left unchanged
 * @param path the overlay file, e.g. a deliberately bad fixture
 * @returns a new configuration
 */
export async function overlayTerraform(base: TerraformConfig, path: string): Promise<TerraformConfig> {
  const overlay = _normalize(await parse(path, await readFile(path, 'utf8')));
  return _expandFunctions(_deepMerge(base, overlay) as TerraformConfig);
}

/**
 * Parses a `.tfvars` file into variable values.
 * @example await parseTfvars('x.tfvars', 'region = "eu"') // { region: 'eu' }
 */
export async function parseTfvars(name: string, contents: string): Promise<Record<string, unknown>> {
  return (await parse(name, contents)) as Record<string, unknown>;
}

/**
 * The nested blocks `name` of a block, static ones and the content of `dynamic` ones.
 * @example nestedBlocks(fn, 'service_config')[0]?.block
 */
export function nestedBlocks(block: Block | undefined, name: string): NestedBlock[] {
  if (!block) return [];
  const found: NestedBlock[] = _asBlocks(block[name]).map((b) => ({ block: b }));
  for (const dyn of _asBlocks(block.dynamic)) {
    for (const d of _asBlocks(dyn[name])) {
      for (const content of _asBlocks(d.content)) found.push({ block: content, forEach: d.for_each });
    }
  }
  return found;
}

/** The first static nested block `name`, if any. */
export function firstBlock(block: Block | undefined, name: string): Block | undefined {
  return block ? _asBlocks(block[name])[0] : undefined;
}

/**
 * Resolves a value whose expression is a literal, `var.x` (from `vars`, else the
 * default), `local.x`, a simple conditional of those, or a string template of those.
 * @returns the value, or undefined when the expression needs real evaluation
 */
export function resolveValue(
  config: TerraformConfig,
  value: unknown,
  vars: Record<string, unknown> = {},
  depth = 0,
): unknown {
  if (typeof value !== 'string' || !value.includes('${')) return value;
  if (depth > 8) return undefined;
  const whole = /^\$\{(.*)\}$/s.exec(value);
  if (whole?.[1] && !whole[1].includes('${')) return _resolveExpr(config, whole[1].trim(), vars, depth);
  let unresolved = false;
  const text = value.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    const r = _resolveExpr(config, inner.trim(), vars, depth);
    if (r === undefined || r === null || typeof r === 'object') unresolved = true;
    return String(r);
  });
  return unresolved ? undefined : text;
}

/**
 * Names of the resources of one type an expression refers to.
 * @example referencedNames('${google_storage_bucket.input.name}', 'google_storage_bucket') // ['input']
 */
export function referencedNames(value: unknown, type: string): string[] {
  if (typeof value !== 'string') return [];
  const names = [...value.matchAll(new RegExp(`(?<![\\w.])${type}\\.([A-Za-z_][\\w-]*)`, 'g'))];
  return [...new Set(names.map((m) => m[1] ?? ''))];
}

/** Every string inside a value, at any depth. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}

// --- internals ------------------------------------------------------------------

/** A reference, a literal, or `cond ? a : b` where cond is `ref`, `ref == null` or `ref != null`. */
function _resolveExpr(
  config: TerraformConfig,
  expr: string,
  vars: Record<string, unknown>,
  depth: number,
): unknown {
  const ternary = /^([\w.]+)(?:\s*(==|!=)\s*null)?\s*\?\s*(\S+)\s*:\s*(\S+)$/.exec(expr);
  if (ternary) {
    const [, ref = '', op, yes = '', no = ''] = ternary;
    const cond = _resolveExpr(config, ref, vars, depth);
    if (cond === undefined) return undefined;
    const truth = op === '==' ? cond === null : op === '!=' ? cond !== null : cond === true;
    return _resolveExpr(config, truth ? yes : no, vars, depth);
  }
  if (/^"[^"]*"$/.test(expr)) return expr.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
  if (expr === 'true' || expr === 'false') return expr === 'true';
  if (expr === 'null') return null;
  return _resolveRef(config, expr, vars, depth);
}

function _resolveRef(config: TerraformConfig, ref: string, vars: Record<string, unknown>, depth: number) {
  const [kind, name, ...rest] = ref.split('.');
  if (!name || rest.length > 0) return undefined;
  if (kind === 'var') {
    if (name in vars) return vars[name];
    const declared = config.variables[name];
    return declared && 'default' in declared ? declared.default : undefined;
  }
  if (kind === 'local' && name in config.locals) {
    return resolveValue(config, config.locals[name], vars, depth + 1);
  }
  return undefined;
}

function _asBlocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter((v): v is Block => !!v && typeof v === 'object');
  return value && typeof value === 'object' ? [value as Block] : [];
}

function _mergeModule(into: Raw, next: Raw, file: string): Raw {
  for (const kind of ['resource', 'data']) {
    const a = (into[kind] ?? {}) as Record<string, Raw>;
    for (const [type, byName] of Object.entries((next[kind] ?? {}) as Record<string, Raw>)) {
      for (const name of Object.keys(byName)) {
        if (a[type] && name in a[type])
          throw new Error(`${file}: ${kind} "${type}" "${name}" is declared twice`);
      }
    }
  }
  return _deepMerge(into, next) as Raw;
}

function _deepMerge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (!b.every((x) => x && typeof x === 'object')) return b;
    return [...b.map((x, i) => (i < a.length ? _deepMerge(a[i], x) : x)), ...a.slice(b.length)];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Raw = { ...(a as Raw) };
    for (const [k, v] of Object.entries(b as Raw)) out[k] = k in out ? _deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

/** Functions with their environment maps and dynamic blocks over locals expanded. */
function _expandFunctions(config: TerraformConfig): TerraformConfig {
  const functions = config.resources.google_cloudfunctions2_function;
  if (!functions) return config;
  const expanded: Record<string, Block> = {};
  for (const [name, fn] of Object.entries(functions)) {
    const out: Block = { ...fn };
    for (const part of ['build_config', 'service_config']) {
      if (fn[part] === undefined) continue;
      out[part] = _asBlocks(fn[part]).map((b) => {
        try {
          return expandFunctionBlock(config.locals, b);
        } catch (err) {
          throw new Error(`google_cloudfunctions2_function.${name}.${part}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      });
    }
    expanded[name] = out;
  }
  return { ...config, resources: { ...config.resources, google_cloudfunctions2_function: expanded } };
}

function _normalize(raw: Raw): TerraformConfig {
  const byName = (kind: string) => {
    const out: Record<string, Record<string, Block>> = {};
    for (const [type, names] of Object.entries((raw[kind] ?? {}) as Record<string, Raw>)) {
      out[type] = {};
      for (const [name, blocks] of Object.entries(names)) out[type][name] = _asBlocks(blocks)[0] ?? {};
    }
    return out;
  };
  const variables: Record<string, Block> = {};
  for (const [name, blocks] of Object.entries((raw.variable ?? {}) as Raw)) {
    variables[name] = _asBlocks(blocks)[0] ?? {};
  }
  const locals = Object.assign({}, ..._asBlocks(raw.locals)) as Record<string, unknown>;
  return { resources: byName('resource'), data: byName('data'), variables, locals };
}
