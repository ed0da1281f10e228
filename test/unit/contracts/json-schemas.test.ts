import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PUBLISHED_SCHEMAS,
  SCHEMA_BASE_URL,
  schemaFileText,
} from '../../../shared/contracts/json-schemas.js';
import { parseRequest } from '../../../shared/request/parse.js';
import { committedSchema, ROOT } from '../../support/json-schema-validator.js';

/** Every JSON file under examples/ that is a sidecar or a recipe. */
async function bundledSidecars(): Promise<{ file: string; body: unknown }[]> {
  const files = (await readdir(join(ROOT, 'examples'), { recursive: true })).filter((f) =>
    f.endsWith('.json'),
  );
  return Promise.all(
    files.map(async (f) => ({
      file: `examples/${f}`,
      body: JSON.parse(await readFile(join(ROOT, 'examples', f), 'utf8')),
    })),
  );
}

describe('docs/schemas/', () => {
  it.each(PUBLISHED_SCHEMAS.map((s) => [s.file, s] as const))(
    '%s is what the zod schemas generate (run `npm run schemas` after changing them)',
    async (file, schema) => {
      const committed = await readFile(join(ROOT, 'docs/schemas', file), 'utf8');
      expect(committed).toBe(schemaFileText(schema));
    },
  );

  it.each(PUBLISHED_SCHEMAS.map((s) => [s.file, s] as const))(
    '%s has a stable $id and compiles',
    async (file, schema) => {
      expect(schema.build().$id).toBe(`${SCHEMA_BASE_URL}${file}`);
      expect(schema.build().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      await committedSchema(file);
    },
  );
});

describe('sidecar.schema.json', () => {
  it('accepts every bundled example, as the request parser does', async () => {
    const check = await committedSchema('sidecar.schema.json');
    const examples = await bundledSidecars();
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const { file, body } of examples) {
      expect({ file, errors: check(body) }).toEqual({ file, errors: [] });
      expect(() => parseRequest(body), file).not.toThrow();
    }
  });

  it('accepts a "$schema" key in both forms, and the parser drops it from the request', async () => {
    const check = await committedSchema('sidecar.schema.json');
    const $schema = `${SCHEMA_BASE_URL}sidecar.schema.json`;
    const shorthand = { $schema, prompt: 'Make it warmer' };
    const full = { $schema, version: 1, stages: [{ prompt: 'Make it warmer' }] };
    for (const body of [shorthand, full]) {
      expect(check(body)).toEqual([]);
      const request = parseRequest(body);
      expect(request).not.toHaveProperty('$schema');
      expect(request.stages[0]).not.toHaveProperty('$schema');
    }
    expect(() => parseRequest({ $schema: 3, prompt: 'Make it warmer' })).toThrow(/\$schema/);
  });

  it('refuses what the parser refuses by shape: an unknown key, a wrong type, a bad format', async () => {
    const check = await committedSchema('sidecar.schema.json');
    const bodies = [
      { prompt: 'Make it warmer', promt: 'typo' },
      { stages: [{ prompt: 'Make it warmer', variants: 'two' }] },
      { prompt: 'Make it warmer', output: { formats: ['gif'] } },
      { prompt: 'Make it warmer', notify: { url: 'not a url' } },
    ];
    for (const body of bodies) {
      expect(check(body), JSON.stringify(body)).not.toEqual([]);
      expect(() => parseRequest(body), JSON.stringify(body)).toThrow();
    }
  });
});
