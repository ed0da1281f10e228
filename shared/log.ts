import type { Clock } from './clock.js';
/**
 * Structured logging: one JSON line per event in the Cloud Logging format
 * (`severity`, `message`, `time`, fields, trace correlation) in the cloud, readable
 * lines in a terminal.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** Special fields of Cloud Logging's structured logs (cloud.google.com/logging/docs/structured-logging). */
export const TRACE_FIELD = 'logging.googleapis.com/trace';
export const SPAN_FIELD = 'logging.googleapis.com/spanId';
export const SAMPLED_FIELD = 'logging.googleapis.com/trace_sampled';
export const LABELS_FIELD = 'logging.googleapis.com/labels';

export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (job id, trace, …). */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  format: 'json' | 'text';
  level?: LogLevel;
  /** Where lines go (default: stdout for info and below, stderr above). */
  write?: (line: string, level: LogLevel) => void;
  /** The clock for the `time` field of JSON lines (default: the system clock). */
  now?: Clock['now'];
}

/**
 * @example createLogger({ format: 'json' }).child({ jobId }).info('stage done', { stage: 1 })
 */
export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const min = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write =
    options.write ??
    ((line: string, level: LogLevel) => {
      if (level === 'warn' || level === 'error') console.error(line);
      else console.log(line);
    });
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const time = new Date(options.now?.() ?? Date.now());
    write(
      formatLogLine({ format: options.format, level, message, fields: { ...base, ...fields }, time }),
      level,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** One event to format. */
export interface LogEvent {
  format: 'json' | 'text';
  level: LogLevel;
  message: string;
  fields: LogFields;
  time: Date;
}

/**
 * Formats one event as one line. JSON: Cloud Logging's special fields (`severity`, `message`,
 * `time`, `logging.googleapis.com/trace`, …) with the other fields beside them, a string
 * `jobId` also copied into `logging.googleapis.com/labels` so that a job's lines can be
 * filtered on; errors become `{ name, message, code, status, stack, details, cause }` (the cause
 * chain and details bounded in depth and size, secret-named keys redacted). Text: `level message  key=value …`.
 * @example formatLogLine({ format: 'json', level: 'warn', message: 'job failed', fields: { jobId: 'j1' }, time })
 * // '{"severity":"WARNING","message":"job failed","time":"…","jobId":"j1","logging.googleapis.com/labels":{"jobId":"j1"}}'
 */
export function formatLogLine(event: LogEvent): string {
  const fields = Object.fromEntries(
    Object.entries(event.fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Error ? _errorFields(v) : v]),
  );
  if (event.format === 'json') {
    const labels = typeof fields.jobId === 'string' ? { [LABELS_FIELD]: { jobId: fields.jobId } } : {};
    return _stringify({
      severity: SEVERITY[event.level],
      message: event.message,
      time: event.time.toISOString(),
      ...fields,
      ...labels,
    });
  }
  const extras = Object.entries(fields)
    .filter(([k]) => k !== SPAN_FIELD && k !== SAMPLED_FIELD)
    .map(([k, v]) => (k === TRACE_FIELD ? ['trace', String(v).split('/').pop()] : [k, v]))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : _stringify(v)}`)
    .join(' ');
  return `${event.level.padEnd(5)} ${event.message}${extras ? `  ${extras}` : ''}`;
}

/** A parsed W3C `traceparent` header. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Parses a W3C Trace Context `traceparent` (`00-<trace id>-<span id>-<flags>`), as carried by
 * HTTP requests and by CloudEvents' distributed-tracing extension.
 * @returns the context, or undefined when the value is absent or invalid (all-zero ids, version ff)
 */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const m = TRACEPARENT.exec(value?.trim().toLowerCase() ?? '');
  if (!m) return undefined;
  const [, version, traceId = '', spanId = '', flags = '00'] = m;
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  if (version === '00' && m[0].length !== 55) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * The fields that correlate log lines with a trace in Cloud Logging. The trace needs the
 * project: `projects/<project>/traces/<trace id>`.
 * @returns the trace, span and sampled fields, or `{}` when either input is missing or invalid
 * @example logger.child({ jobId, ...traceFields({ traceparent: event.traceparent, projectId }) })
 */
export function traceFields(options: {
  traceparent?: string | undefined;
  projectId?: string | undefined;
}): LogFields {
  const trace = parseTraceparent(options.traceparent);
  if (!trace || !options.projectId) return {};
  return {
    [TRACE_FIELD]: `projects/${options.projectId}/traces/${trace.traceId}`,
    [SPAN_FIELD]: trace.spanId,
    [SAMPLED_FIELD]: trace.sampled,
  };
}

/**
 * The log format when none is configured: text for a person at a terminal, JSON otherwise
 * (Cloud Functions and Cloud Run read structured JSON from stdout).
 */
export function resolveLogFormat(options: {
  format?: 'json' | 'text' | undefined;
  isTTY: boolean;
}): 'json' | 'text' {
  return options.format ?? (options.isTTY ? 'text' : 'json');
}

/** A logger that drops everything (for tests and benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

// ── internal ──────────────────────────────────────────────────────────────

// Bounds of an error as logged: a chain or a details object never grows a line without limit.
const MAX_CAUSE_DEPTH = 5;
const MAX_VALUE_DEPTH = 4;
const MAX_ITEMS = 20;
const MAX_STRING_LENGTH = 2000;
/** Keys whose values are never logged (webhook secrets, API keys, auth headers, signatures). */
const SECRET_KEY = /secret|token|password|passw|api[-_]?key|authorization|credential|cookie|signature/i;

/**
 * An error as JSON-safe fields: name, message, code, status, stack, then its `details` and its
 * `cause` chain (each cause the same way, `MAX_CAUSE_DEPTH` deep) and an AggregateError's
 * `errors`, so that the whole chain reaches Cloud Logging.
 */
function _errorFields(err: Error, depth = 0): Record<string, unknown> {
  const { code, status, details } = err as { code?: unknown; status?: unknown; details?: unknown };
  const fields: Record<string, unknown> = { name: err.name, message: _clip(err.message) };
  if (code !== undefined) fields.code = _jsonSafe(code, MAX_VALUE_DEPTH);
  if (typeof status === 'number') fields.status = status;
  fields.stack = typeof err.stack === 'string' ? _clip(err.stack) : undefined;
  if (details !== undefined) fields.details = _jsonSafe(details, 0);
  if (err.cause !== undefined) {
    fields.cause =
      depth >= MAX_CAUSE_DEPTH
        ? '[cause chain truncated]'
        : err.cause instanceof Error
          ? _errorFields(err.cause, depth + 1)
          : _jsonSafe(err.cause, 0);
  }
  if (err instanceof AggregateError && depth < MAX_CAUSE_DEPTH) {
    fields.errors = (err.errors as unknown[])
      .slice(0, MAX_ITEMS)
      .map((e) => (e instanceof Error ? _errorFields(e, depth + 1) : _jsonSafe(e, 0)));
  }
  return fields;
}

/** A value as JSON-safe data: bounded depth, items and string length, secrets redacted, no cycles. */
function _jsonSafe(value: unknown, depth: number, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return _clip(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value !== 'object') return undefined;
  if (value instanceof Error) return _errorFields(value, MAX_CAUSE_DEPTH - 1);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return '[repeated]';
  if (depth >= MAX_VALUE_DEPTH) return '[truncated]';
  seen.add(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => _jsonSafe(v, depth + 1, seen));
    return value.length > MAX_ITEMS ? [...items, `[${value.length - MAX_ITEMS} more]`] : items;
  }
  const entries = Object.entries(value);
  const kept = entries
    .slice(0, MAX_ITEMS)
    .map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : _jsonSafe(v, depth + 1, seen)]);
  if (entries.length > MAX_ITEMS) kept.push(['…', `${entries.length - MAX_ITEMS} more keys`]);
  return Object.fromEntries(kept);
}

function _clip(text: string): string {
  return text.length > MAX_STRING_LENGTH
    ? `${text.slice(0, MAX_STRING_LENGTH)}… [${text.length} chars]`
    : text;
}

/** JSON.stringify that survives bigints and cycles: a log line must never throw. */
function _stringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return _errorFields(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[repeated]';
      seen.add(v);
    }
    return v;
  });
}
