import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The repository's root directory. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** A compiled JSON Schema: `errors` lists what does not match (empty when it validates). */
export type SchemaCheck = (value: unknown) => string[];

/**
 * Compiles a committed schema of `docs/schemas/` with Ajv (draft 2020-12, strict, formats checked).
 * @param file the file name, e.g. `sidecar.schema.json`
 * @returns a check returning every mismatch as `path: message`
 */
export async function committedSchema(file: string): Promise<SchemaCheck> {
  const schema = JSON.parse(await readFile(join(ROOT, 'docs/schemas', file), 'utf8'));
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
