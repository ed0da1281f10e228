import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { classifyGeminiError, retryDelayMs } from '../../../../shared/engines/gemini/errors.js';
import { EngineError, PermanentError, TransientError } from '../../../../shared/errors.js';

const apiError = (status: number, grpc: string, details?: unknown[]) =>
  new ApiError({
    status,
    message: JSON.stringify({ error: { code: status, message: `boom ${status}`, status: grpc, details } }),
  });

interface TestData {
  status: number;
  grpc: string;
  cls: typeof EngineError | typeof TransientError;
  code: string;
}

const cases: TestData[] = [
  { status: 400, grpc: 'INVALID_ARGUMENT', cls: EngineError, code: 'ENGINE_REJECTED' },
  { status: 400, grpc: 'FAILED_PRECONDITION', cls: EngineError, code: 'ENGINE_REJECTED' },
  { status: 401, grpc: 'UNAUTHENTICATED', cls: EngineError, code: 'ENGINE_PERMISSION_DENIED' },
  { status: 403, grpc: 'PERMISSION_DENIED', cls: EngineError, code: 'ENGINE_PERMISSION_DENIED' },
  { status: 404, grpc: 'NOT_FOUND', cls: EngineError, code: 'ENGINE_MODEL_NOT_FOUND' },
  { status: 408, grpc: 'DEADLINE_EXCEEDED', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
  { status: 429, grpc: 'RESOURCE_EXHAUSTED', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
  { status: 500, grpc: 'INTERNAL', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
  { status: 502, grpc: 'UNAVAILABLE', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
  { status: 503, grpc: 'UNAVAILABLE', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
  { status: 504, grpc: 'DEADLINE_EXCEEDED', cls: TransientError, code: 'ENGINE_UNAVAILABLE' },
];

describe('classifyGeminiError', () => {
  it.each(cases)('maps HTTP $status $grpc to $code', ({ status, grpc, cls, code }) => {
    const err = classifyGeminiError(apiError(status, grpc), { model: 'm' });
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe(code);
    expect((err as EngineError).status).toBe(status);
    expect(err.message).toContain(`boom ${status}`);
    expect(err.details).toMatchObject({ status: grpc, httpStatus: status });
    expect(err.cause).toBeInstanceOf(ApiError);
  });

  it('carries the RetryInfo delay of a 429 as retryAfterMs', () => {
    const err = classifyGeminiError(
      apiError(429, 'RESOURCE_EXHAUSTED', [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' },
      ]),
      { model: 'm' },
    ) as TransientError;
    expect(err.retryAfterMs).toBe(17_000);
  });

  it('treats an abort of the caller signal as DEADLINE_EXCEEDED, and any other abort as a timeout', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    const controller = new AbortController();
    controller.abort();
    const budget = classifyGeminiError(abort, { model: 'm', signal: controller.signal });
    expect(budget).toBeInstanceOf(TransientError);
    expect(budget.code).toBe('DEADLINE_EXCEEDED');
    const timeout = classifyGeminiError(abort, {
      model: 'm',
      signal: new AbortController().signal,
      timeoutMs: 50,
    });
    expect(timeout).toBeInstanceOf(TransientError);
    expect(timeout.code).toBe('ENGINE_UNAVAILABLE');
    expect(timeout.message).toContain('timed out after 50 ms');
  });

  it('treats network failures and unparseable replies as transient', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    for (const err of [new TypeError('fetch failed', { cause: socket }), new Error('x', { cause: socket })]) {
      expect(classifyGeminiError(err, { model: 'm' })).toBeInstanceOf(TransientError);
    }
    expect(classifyGeminiError(new SyntaxError('Unexpected end of JSON input'), { model: 'm' }).code).toBe(
      'ENGINE_UNAVAILABLE',
    );
  });

  it('treats anything else as a permanent INTERNAL error, keeping the cause', () => {
    const cause = new Error('imageOutputOptions parameter is not supported in Gemini API.');
    const err = classifyGeminiError(cause, { model: 'm' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('INTERNAL');
    expect(err.cause).toBe(cause);
  });
});

describe('retryDelayMs', () => {
  it.each([
    ['2s', 2000],
    ['0.250s', 250],
    ['1.5s', 1500],
    ['soon', undefined],
  ])('reads %s as %s ms', (delay, ms) => {
    expect(
      retryDelayMs({ details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay }] }),
    ).toBe(ms);
  });
});
