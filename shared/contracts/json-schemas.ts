import { z } from 'zod';
import { CompletionSummarySchema } from '../notify/completion-event.js';
import { ManifestSchema } from '../pipeline/manifest-schema.js';
import { FullRequestSchema, ShorthandRequestSchema } from '../request/schema.js';

/** Where the published schemas are addressed; their `$id`s never change for a format version. */
export const SCHEMA_BASE_URL = 'https://darkroom.dev/schemas/v1/';

/** One published JSON Schema: its file under `docs/schemas/` and how it is generated. */
export interface PublishedSchema {
  file: string;
  /** The JSON Schema, generated from the zod schema the code validates with. */
  build(): Record<string, unknown>;
}

/**
 * The data contracts published as JSON Schemas (docs/schemas.md): what a sidecar or recipe may
 * say (the input form, before defaults), and what `manifest.json` and a completion event carry.
 * A JSON Schema checks shape only: cross-field rules (a stage has `prompt` or `from`, unique
 * stage names, reserved size names) are checked by `darkroom validate` and the pipeline.
 */
export const PUBLISHED_SCHEMAS: readonly PublishedSchema[] = [
  {
    file: 'sidecar.schema.json',
    build: () =>
      _publish(z.union([FullRequestSchema, ShorthandRequestSchema]), 'input', {
        file: 'sidecar.schema.json',
        title: 'Darkroom request (sidecar or _recipe.json)',
        description:
          'The full form {"version":1,"stages":[…]} or the one-stage shorthand {"prompt":"…"}. See docs/schemas.md.',
      }),
  },
  {
    file: 'manifest.schema.json',
    build: () =>
      _publish(ManifestSchema, 'output', {
        file: 'manifest.schema.json',
        title: 'Darkroom manifest.json',
        description:
          "A succeeded job's completion record: inputs, stages, outputs, costs. See docs/schemas.md.",
      }),
  },
  {
    file: 'completion-event.schema.json',
    build: () =>
      _publish(CompletionSummarySchema, 'output', {
        file: 'completion-event.schema.json',
        title: 'Darkroom completion event data',
        description:
          'The data of a job outcome: the Pub/Sub message body and the webhook body. See docs/integrations.md.',
      }),
  },
];

/**
 * The text of a published schema file, as committed under `docs/schemas/`.
 * @param schema one of {@link PUBLISHED_SCHEMAS}
 * @returns pretty-printed JSON with a trailing newline
 */
export function schemaFileText(schema: PublishedSchema): string {
  return `${JSON.stringify(schema.build(), null, 2)}\n`;
}

// ── internal ──────────────────────────────────────────────────────────────

function _publish(
  schema: z.ZodType,
  io: 'input' | 'output',
  meta: { file: string; title: string; description: string },
): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  return {
    $schema,
    $id: `${SCHEMA_BASE_URL}${meta.file}`,
    title: meta.title,
    description: meta.description,
    ...body,
  };
}
