import { describe, expect, it } from 'vitest';
import {
  createLogger,
  formatLogLine,
  LABELS_FIELD,
  type LogLevel,
  parseTraceparent,
  resolveLogFormat,
  SAMPLED_FIELD,
  SPAN_FIELD,
  TRACE_FIELD,
  traceFields,
} from '../../shared/log.js';

const TIME = new Date('2026-05-01T12:00:00.000Z');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function capture(format: 'json' | 'text', level?: LogLevel) {
  const lines: { line: string; level: LogLevel }[] = [];
  const log = createLogger({
    format,
    level,
    now: () => TIME.getTime(),
    write: (line, l) => lines.push({ line, level: l }),
  });
  return { log, lines };
}

describe('formatLogLine', () => {
  interface TestData {
    level: LogLevel;
    severity: string;
  }
  it.each<TestData>([
    { level: 'debug', severity: 'DEBUG' },
    { level: 'info', severity: 'INFO' },
    { level: 'warn', severity: 'WARNING' },
    { level: 'error', severity: 'ERROR' },
  ])('writes $level as Cloud Logging severity $severity', ({ level, severity }) => {
    const line = formatLogLine({ format: 'json', level, message: 'm', fields: {}, time: TIME });
    expect(JSON.parse(line)).toEqual({ severity, message: 'm', time: '2026-05-01T12:00:00.000Z' });
  });

  it('keeps job id and stage as fields and copies the job id into the labels', () => {
    const line = formatLogLine({
      format: 'json',
      level: 'info',
      message: 'stage done',
      fields: { jobId: 'abc123', stage: 2, skipped: undefined },
      time: TIME,
    });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      severity: 'INFO',
      message: 'stage done',
      time: '2026-05-01T12:00:00.000Z',
      jobId: 'abc123',
      stage: 2,
      [LABELS_FIELD]: { jobId: 'abc123' },
    });
  });

  it('serialises errors with name, message, code and stack, and never throws on cycles or bigints', () => {
    const err = Object.assign(new Error('boom'), { code: 'ENGINE_BLOCKED' });
    const cyclic: Record<string, unknown> = { size: 10n };
    cyclic.self = cyclic;
    const parsed = JSON.parse(
      formatLogLine({
        format: 'json',
        level: 'error',
        message: 'x',
        fields: { error: err, cyclic },
        time: TIME,
      }),
    );
    expect(parsed.error).toMatchObject({ name: 'Error', message: 'boom', code: 'ENGINE_BLOCKED' });
    expect(parsed.error.stack).toContain('boom');
    expect(parsed.cyclic).toEqual({ size: '10', self: '[repeated]' });
  });

  it('writes a readable line in text format, with the short trace id', () => {
    const line = formatLogLine({
      format: 'text',
      level: 'warn',
      message: 'job failed',
      fields: {
        jobId: 'j1',
        code: 'IMAGE_CORRUPT',
        ...traceFields({ traceparent: TRACEPARENT, projectId: 'p' }),
      },
      time: TIME,
    });
    expect(line).toBe('warn  job failed  jobId=j1 code=IMAGE_CORRUPT trace=4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('parseTraceparent', () => {
  interface TestData {
    value: string | undefined;
    expected: ReturnType<typeof parseTraceparent>;
  }
  it.each<TestData>([
    {
      value: TRACEPARENT,
      expected: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true },
    },
    {
      value: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00',
      expected: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false },
    },
    { value: undefined, expected: undefined },
    { value: 'garbage', expected: undefined },
    { value: '00-00000000000000000000000000000000-00f067aa0ba902b7-01', expected: undefined },
    { value: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', expected: undefined },
    { value: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', expected: undefined },
    { value: `${TRACEPARENT}-extra`, expected: undefined },
  ])('parses $value', ({ value, expected }) => {
    expect(parseTraceparent(value)).toEqual(expected);
  });
});

describe('traceFields', () => {
  it('builds the Cloud Logging trace, span and sampled fields from a traceparent and a project', () => {
    expect(traceFields({ traceparent: TRACEPARENT, projectId: 'my-proj' })).toEqual({
      [TRACE_FIELD]: 'projects/my-proj/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      [SPAN_FIELD]: '00f067aa0ba902b7',
      [SAMPLED_FIELD]: true,
    });
  });

  it('adds nothing without a project or a valid traceparent', () => {
    expect(traceFields({ traceparent: TRACEPARENT })).toEqual({});
    expect(traceFields({ traceparent: 'nope', projectId: 'p' })).toEqual({});
  });
});

describe('createLogger', () => {
  it('writes one JSON line per event with the child fields and the trace', () => {
    const { log, lines } = capture('json');
    const job = log.child({ jobId: 'j9', ...traceFields({ traceparent: TRACEPARENT, projectId: 'p' }) });
    job.info('stage done', { stage: 1 });
    job.warn('job failed', { code: 'ENGINE_BLOCKED' });
    expect(lines.map((l) => l.level)).toEqual(['info', 'warn']);
    const [first, second] = lines.map((l) => JSON.parse(l.line));
    expect(first).toMatchObject({
      severity: 'INFO',
      jobId: 'j9',
      stage: 1,
      [TRACE_FIELD]: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(second).toMatchObject({ severity: 'WARNING', code: 'ENGINE_BLOCKED', jobId: 'j9' });
  });

  it('drops events below the level', () => {
    const { log, lines } = capture('text', 'warn');
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map((l) => l.line)).toEqual(['warn  c', 'error d']);
  });
});

describe('resolveLogFormat', () => {
  it('uses text at a terminal, JSON otherwise, and the configured format always', () => {
    expect(resolveLogFormat({ isTTY: true })).toBe('text');
    expect(resolveLogFormat({ isTTY: false })).toBe('json');
    expect(resolveLogFormat({ format: 'json', isTTY: true })).toBe('json');
    expect(resolveLogFormat({ format: 'text', isTTY: false })).toBe('text');
  });
});
