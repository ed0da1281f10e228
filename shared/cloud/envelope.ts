import { z } from 'zod';
import type { ObjectEvent } from '../pipeline/index.js';

/** The one CloudEvent type the function acts on. */
export const FINALIZED_EVENT_TYPE = 'google.cloud.storage.object.v1.finalized';

/**
 * An int64 of `StorageObjectData`: a decimal string (what Eventarc sends) or a JSON number
 * (what Google's synthetic fixtures use).
 */
const Int64Schema = z.union([
  z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, { error: 'must be a decimal integer' }),
  // Not z.int(): it refuses integers above 2^53, which are exactly the ones to report, not drop.
  z
    .number()
    .nonnegative()
    .refine((n) => Number.isInteger(n), { error: 'must be an integer' }),
]);

/**
 * The payload of a Cloud Storage CloudEvent (`google.events.cloud.storage.v1.StorageObjectData`),
 * the fields the function reads; other fields are kept as they are.
 */
export const StorageObjectDataSchema = z.looseObject({
  bucket: z.string().min(1, { error: 'must name the bucket' }),
  name: z.string().min(1, { error: 'must name the object' }),
  generation: Int64Schema.optional(),
  metageneration: Int64Schema.optional(),
  size: Int64Schema.optional(),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  timeCreated: z.string().optional(),
  updated: z.string().optional(),
});

/** A CloudEvent's context attributes, after the functions framework merged binary or structured mode. */
export const StorageCloudEventSchema = z.looseObject({
  id: z.string().min(1, { error: 'must be present' }),
  type: z.string().min(1, { error: 'must be present' }),
  source: z.string().optional(),
  subject: z.string().optional(),
  time: z.string().optional(),
  traceparent: z.string().optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown().optional(),
  data_base64: z.string().optional(),
});

/** The parsed payload of a Cloud Storage event. */
export type StorageObjectData = z.output<typeof StorageObjectDataSchema>;

/** The object event plus the facts the function logs. */
export interface StorageObjectEvent extends ObjectEvent {
  /** Kept as a decimal string, like the generation. */
  metageneration?: string | undefined;
  size?: number | undefined;
  contentType?: string | undefined;
}

/** What an incoming CloudEvent came to. */
export type ParsedStorageEvent =
  | {
      kind: 'object';
      id: string;
      type: string;
      source?: string | undefined;
      traceparent?: string | undefined;
      object: StorageObjectEvent;
      /** Things worth a warning that did not stop the event (e.g. an imprecise generation). */
      notes: string[];
    }
  | { kind: 'ignore'; id: string; type: string; reason: string }
  | { kind: 'invalid'; id?: string | undefined; reason: string };

/**
 * Reads a CloudEvent as the functions framework hands it over, in binary mode (`ce-*` headers,
 * data = body) or structured mode (the JSON body is the event). Other event types are ignored;
 * an envelope that can never be processed is `invalid` (to be acknowledged and logged), among them
 * one whose `datacontenttype` (in binary mode, the request's `content-type`) is not JSON.
 *
 * `generation` stays a string. A generation sent as a JSON number is only trusted when it is a
 * safe integer (below 2^53): a larger one was already rounded by `JSON.parse`, so it is dropped
 * with a note and the live object is read instead.
 * @param event the framework's CloudEvent (any shape)
 * @returns the object event, or why there is none
 * @example parseStorageEvent(cloudEvent) // { kind: 'object', object: { bucket, name, generation: '1743…' }, … }
 */
export function parseStorageEvent(event: unknown): ParsedStorageEvent {
  const envelope = StorageCloudEventSchema.safeParse(event);
  if (!envelope.success) return { kind: 'invalid', reason: `CloudEvent ${_issues(envelope.error)}` };
  const { id, type } = envelope.data;
  if (type !== FINALIZED_EVENT_TYPE) {
    return { kind: 'ignore', id, type, reason: `event type ${type} is not ${FINALIZED_EVENT_TYPE}` };
  }
  const declared = envelope.data.datacontenttype;
  if (declared !== undefined && !_isJsonMediaType(declared)) {
    return { kind: 'invalid', id, reason: `event data is declared as ${declared.slice(0, 80)}, not JSON` };
  }
  const decoded = _decodeData(envelope.data.data, envelope.data.data_base64);
  if (decoded instanceof Error) return { kind: 'invalid', id, reason: decoded.message };
  const data = StorageObjectDataSchema.safeParse(decoded);
  if (!data.success) return { kind: 'invalid', id, reason: `event data ${_issues(data.error)}` };
  const notes: string[] = [];
  const generation = _generation(data.data.generation, notes);
  const time = _time(envelope.data.time ?? data.data.updated ?? data.data.timeCreated, notes);
  return {
    kind: 'object',
    id,
    type,
    source: envelope.data.source,
    traceparent: envelope.data.traceparent,
    object: {
      bucket: data.data.bucket,
      name: data.data.name,
      generation,
      metageneration: data.data.metageneration === undefined ? undefined : String(data.data.metageneration),
      size: data.data.size === undefined ? undefined : Number(data.data.size),
      contentType: data.data.contentType,
      metadata: data.data.metadata ?? undefined,
      time,
    },
    notes,
  };
}

// ─── internals ───────────────────────────────────────────────────────────────

/** `application/json` or a `+json` type, parameters (`charset`) aside. */
function _isJsonMediaType(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** Data with no declared type can still arrive as a string or bytes (`data_base64`): parsed as JSON. */
function _decodeData(data: unknown, base64: string | undefined): unknown {
  let raw: unknown = data;
  if (raw === undefined && base64 !== undefined) raw = Buffer.from(base64, 'base64');
  if (Buffer.isBuffer(raw)) raw = raw.toString('utf8');
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return new Error(`event data is not JSON: ${raw.slice(0, 80)}`, { cause: err });
  }
}

function _generation(value: string | number | undefined, notes: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Number.isSafeInteger(value)) return String(value);
  notes.push(
    `generation ${value} arrived as a JSON number above 2^53 and lost precision; reading the live object instead`,
  );
  return undefined;
}

function _time(value: string | undefined, notes: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isNaN(Date.parse(value))) return value;
  notes.push(`event time "${value}" is not a timestamp; the stale-event check is skipped`);
  return undefined;
}

function _issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
}
