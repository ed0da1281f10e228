#!/usr/bin/env node
/** Writes the published JSON Schemas to docs/schemas/ (`npm run schemas`); a test keeps them current. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS, schemaFileText } from '../shared/contracts/index.js';

const dir = process.argv[2] ?? 'docs/schemas';
await mkdir(dir, { recursive: true });
for (const schema of PUBLISHED_SCHEMAS) {
  await writeFile(join(dir, schema.file), schemaFileText(schema));
  console.log(`wrote ${join(dir, schema.file)}`);
}
