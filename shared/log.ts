/**
 * Structured logging: one JSON line per event in the Cloud Logging format
 * (`severity`, `message`, fields) in the cloud, readable lines in a terminal.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

export type LogFields = Record<string, unknown>;

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
    const all = { ...base, ...fields };
    if (options.format === 'json') {
      write(JSON.stringify({ severity: SEVERITY[level], message, ...all }), level);
    } else {
      const extras = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${level.padEnd(5)} ${message}${extras ? `  ${extras}` : ''}`, level);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything (for tests and benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
