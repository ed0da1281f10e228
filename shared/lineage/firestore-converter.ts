import { FieldValue, type FirestoreDataConverter, Timestamp } from '@google-cloud/firestore';
import type { z } from 'zod';
import { parseRecord } from './parse-record.js';

/** Options of {@link recordConverter}. */
export interface RecordConverterOptions {
  /**
   * Which `null` fields read as absent (a patch clears a field with null, not
   * `FieldValue.delete()`: the in-process emulator ignores field deletes).
   * `top-level` (default): the document's own fields; `everywhere`: nested ones too.
   */
  nulls?: 'top-level' | 'everywhere';
}

/**
 * A Firestore converter for one record type: writes drop `undefined` (Firestore refuses it)
 * and keep Dates (stored as Timestamps); reads turn Timestamps back into Dates and parse the
 * document with the record's schema.
 * @param schema the record's zod schema
 * @returns the converter, for `collection(…).withConverter(…)`
 * @throws PermanentError LINEAGE_RECORD_INVALID from a read whose document does not match, naming it
 * @example db.collection('jobs').withConverter(recordConverter(JobRecordSchema))
 */
export function recordConverter<S extends z.ZodType>(
  schema: S,
  options: RecordConverterOptions = {},
): FirestoreDataConverter<z.output<S>> {
  const deep = options.nulls === 'everywhere';
  return {
    toFirestore: (record: unknown) => _clean(record) as FirebaseFirestore.DocumentData,
    fromFirestore(snapshot: FirebaseFirestore.QueryDocumentSnapshot) {
      const fields = Object.entries(snapshot.data()).filter(([, v]) => v !== null);
      const data = Object.fromEntries(fields.map(([k, v]) => [k, fromFirestoreValue(v, deep)]));
      return parseRecord(schema, data, snapshot.ref.path);
    },
  };
}

/** Drops `undefined` (Firestore refuses it) and keeps Dates, Timestamps and FieldValues. */
export function toFirestoreData(value: object): FirebaseFirestore.DocumentData {
  return _clean(value) as FirebaseFirestore.DocumentData;
}

/** Turns Timestamps back into Dates, recursively; `dropNulls` removes nested null fields too. */
function fromFirestoreValue(value: unknown, dropNulls: boolean): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map((v) => fromFirestoreValue(v, dropNulls));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => !dropNulls || v !== null);
    return Object.fromEntries(entries.map(([k, v]) => [k, fromFirestoreValue(v, dropNulls)]));
  }
  return value;
}

// ── internal ──────────────────────────────────────────────────────────────

function _clean(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Timestamp)
    return value;
  if (value instanceof FieldValue) return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(_clean);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = _clean(v);
  return out;
}
