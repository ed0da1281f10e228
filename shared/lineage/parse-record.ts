import type { z } from 'zod';
import { PermanentError } from '../errors.js';

/** At most this many problems are named in the message (all of them are in `details`). */
const MAX_LISTED_ISSUES = 5;

/**
 * Parses a document read back from a store with its record schema.
 * @param schema the record's schema (records.ts, shared/batch/records.ts)
 * @param data the document's fields, Timestamps already turned into Dates
 * @param path the document's path (`jobs/0a1b…`), named in the error
 * @returns the record
 * @throws PermanentError LINEAGE_RECORD_INVALID naming the document and every field that does not match
 * @example parseRecord(JobRecordSchema, data, 'jobs/0a1b…')
 */
export function parseRecord<S extends z.ZodType>(schema: S, data: unknown, path: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  const listed = problems.slice(0, MAX_LISTED_ISSUES).join('; ');
  const more =
    problems.length > MAX_LISTED_ISSUES ? ` (and ${problems.length - MAX_LISTED_ISSUES} more)` : '';
  throw new PermanentError(
    'LINEAGE_RECORD_INVALID',
    `${path} does not match its record schema: ${listed}${more}`,
    {
      cause: parsed.error,
      details: { document: path, problems },
    },
  );
}
