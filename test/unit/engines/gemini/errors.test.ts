import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { classifyGeminiError, retryDelayMs } from '../../../../shared/engines/gemini/errors.js';
import { msUntilPacificMidnight } from '../../../../shared/engines/gemini/quota.js';
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
    ['34.29s', 34_290],
    ['34.2901s', 34_291],
    ['59.628721472s', 59_629],
    ['0.000001s', 1],
    ['soon', undefined],
  ])('reads %s as %s ms', (delay, ms) => {
    expect(
      retryDelayMs({ details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay }] }),
    ).toBe(ms);
  });
});

describe('classifyGeminiError on 429 RESOURCE_EXHAUSTED', () => {
  const quota = (quotaId: string, retryDelay?: string, message = 'You exceeded your current quota.') =>
    new ApiError({
      status: 429,
      message: JSON.stringify({
        error: {
          code: 429,
          message,
          status: 'RESOURCE_EXHAUSTED',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
              violations: [{ quotaId, quotaValue: '10' }],
            },
            ...(retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] : []),
          ],
        },
      }),
    });
  // 2026-03-10 12:00 UTC is 05:00 in Los Angeles (PDT, UTC-7): 19 h to the daily reset.
  const noon = Date.UTC(2026, 2, 10, 12, 0, 0);

  it('reads a per-minute quota as a wait of the RetryInfo delay, rounded up', () => {
    const err = classifyGeminiError(quota('GenerateRequestsPerMinutePerProjectPerModel', '34.29s'), {
      model: 'm',
      now: () => noon,
    }) as TransientError;
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('ENGINE_UNAVAILABLE');
    expect(err.retryAfterMs).toBe(34_290);
    expect(err.details).toMatchObject({
      kind: 'rate-limit',
      quotaIds: ['GenerateRequestsPerMinutePerProjectPerModel'],
    });
  });

  it('reads a per-day quota as a wait until midnight Pacific, whatever RetryInfo says', () => {
    const err = classifyGeminiError(quota('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '59s'), {
      model: 'm',
      now: () => noon,
    }) as TransientError;
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('ENGINE_QUOTA_EXHAUSTED');
    expect(err.retryAfterMs).toBe(19 * 3_600_000);
    expect(err.details).toMatchObject({ kind: 'quota-per-day' });
    expect(err.message).toContain('resets at midnight Pacific time, in 19.0 h');
  });

  it.each([
    'Your prepayment credits are depleted. Please go to AI Studio to manage your project and billing.',
    'Your project has reached its monthly spend limit.',
  ])(
    'reads a 429 without QuotaFailure or RetryInfo that speaks of billing as ENGINE_BILLING: %s',
    (message) => {
      const err = classifyGeminiError(
        new ApiError({
          status: 429,
          message: JSON.stringify({ error: { code: 429, message, status: 'RESOURCE_EXHAUSTED' } }),
        }),
        { model: 'm' },
      );
      expect(err).toBeInstanceOf(EngineError);
      expect(err.code).toBe('ENGINE_BILLING');
      expect(err.details).toMatchObject({ kind: 'billing', httpStatus: 429 });
      expect(err.message).toContain(message);
    },
  );

  it('keeps a bare 429 (Vertex shared quota) a wait with no delay', () => {
    const err = classifyGeminiError(
      new ApiError({
        status: 429,
        message: JSON.stringify({
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
          },
        }),
      }),
      { model: 'm' },
    ) as TransientError;
    expect(err.code).toBe('ENGINE_UNAVAILABLE');
    expect(err.retryAfterMs).toBeUndefined();
    expect(err.details).toMatchObject({ kind: 'rate-limit' });
  });
});

describe('msUntilPacificMidnight', () => {
  it.each([
    [Date.UTC(2026, 0, 15, 8, 0, 0), 24 * 3_600_000], // 00:00 PST
    [Date.UTC(2026, 0, 15, 7, 59, 59, 500), 500], // 23:59:59.5 PST
    [Date.UTC(2026, 6, 15, 19, 30, 0), 11.5 * 3_600_000], // 12:30 PDT
  ])('from %s is %s ms', (now, ms) => {
    expect(msUntilPacificMidnight(now)).toBe(ms);
  });
});
