/** The published data contracts: JSON Schemas generated from the zod schemas (docs/schemas.md). */
export { PUBLISHED_SCHEMAS, schemaFileText } from './json-schemas.js';
