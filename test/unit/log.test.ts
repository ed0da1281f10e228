import { describe, expect, it } from 'vitest';
import { EngineError, TransientError, ValidationError } from '../../shared/errors.js';
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

  function logged(error: unknown): Record<string, unknown> {
    const line = formatLogLine({
      format: 'json',
      level: 'error',
      message: 'x',
      fields: { error },
      time: TIME,
    });
    return JSON.parse(line).error;
  }

  it('logs the cause chain and the details of an error', () => {
    const root = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const engine = new EngineError('ENGINE_UNAVAILABLE', 'the model service is unavailable', {
      status: 503,
      cause: root,
      details: { model: 'gemini-2.5-flash-image', attempts: 3 },
    });
    const top = new TransientError('ENGINE_UNAVAILABLE', 'stage 1 failed', { cause: engine });
    const error = logged(top);
    expect(error).toMatchObject({
      name: 'TransientError',
      message: 'stage 1 failed',
      code: 'ENGINE_UNAVAILABLE',
      cause: {
        name: 'EngineError',
        status: 503,
        details: { model: 'gemini-2.5-flash-image', attempts: 3 },
        cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
      },
    });
    expect((error.cause as { cause: { stack: string } }).cause.stack).toContain('socket hang up');
  });

  it('redacts secret-named keys and bounds depth, items, strings and the chain', () => {
    let chain: Error = new Error('root');
    for (let i = 0; i < 10; i += 1) chain = new Error(`level ${i}`, { cause: chain });
    const deep = { a: { b: { c: { d: { e: 'too deep' } } } } };
    const err = new ValidationError('REQUEST_INVALID', ['bad'], {
      details: {
        webhookSecret: 's3cr3t',
        headers: { Authorization: 'Bearer abc', accept: 'json' },
        deep,
        list: Array.from({ length: 30 }, (_, i) => i),
        long: 'x'.repeat(5000),
        bytes: Buffer.alloc(1024),
        when: new Date('2026-05-01T00:00:00.000Z'),
        size: 10n,
        nested: chain,
      },
      cause: 'a string cause',
    });
    const line = formatLogLine({ format: 'json', level: 'error', message: 'x', fields: { err }, time: TIME });
    expect(line).not.toContain('s3cr3t');
    expect(line).not.toContain('Bearer abc');
    const { details, cause } = JSON.parse(line).err;
    expect(cause).toBe('a string cause');
    expect(details.webhookSecret).toBe('[redacted]');
    expect(details.headers).toEqual({ Authorization: '[redacted]', accept: 'json' });
    expect(details.deep).toEqual({ a: { b: { c: '[truncated]' } } });
    expect(details.list).toHaveLength(21);
    expect(details.list[20]).toBe('[10 more]');
    expect(details.long.length).toBeLessThan(2100);
    expect(details.bytes).toBe('[1024 bytes]');
    expect(details.when).toBe('2026-05-01T00:00:00.000Z');
    expect(details.size).toBe('10');

    const long = JSON.parse(
      formatLogLine({ format: 'json', level: 'error', message: 'x', fields: { chain }, time: TIME }),
    ).chain;
    let depth = 0;
    let node = long;
    while (typeof node === 'object' && node.cause !== undefined) {
      node = node.cause;
      depth += 1;
    }
    expect(depth).toBe(6);
    expect(node).toBe('[cause chain truncated]');
  });

  it('logs each error of an AggregateError', () => {
    const error = logged(new AggregateError([new Error('one'), new Error('two')], 'both failed'));
    expect(error.errors).toMatchObject([{ message: 'one' }, { message: 'two' }]);
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
