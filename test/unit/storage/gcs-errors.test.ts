import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { mapGcsError, statusOf } from '../../../shared/storage/gcs-errors.js';

interface TestData {
  title: string;
  error: unknown;
  status: number | undefined;
  expected: 'transient' | 'permission' | 'failed' | 'unchanged';
}

const apiError = (code: number, message = 'boom') => Object.assign(new Error(message), { code, errors: [] });
const networkError = (code: string) => Object.assign(new Error(`request failed, reason: ${code}`), { code });

const cases: TestData[] = [
  { title: 'ApiError 503', error: apiError(503), status: 503, expected: 'transient' },
  { title: 'ApiError 429', error: apiError(429), status: 429, expected: 'transient' },
  { title: 'ApiError 408', error: apiError(408), status: 408, expected: 'transient' },
  {
    title: 'gaxios error (response.status 502)',
    error: Object.assign(new Error('Bad Gateway'), { response: { status: 502 } }),
    status: 502,
    expected: 'transient',
  },
  {
    title: 'resumable upload gave up on retries',
    error: new Error('Retry limit exceeded - status: 503 - response: {"error":{}}'),
    status: 503,
    expected: 'transient',
  },
  { title: 'connection reset', error: networkError('ECONNRESET'), status: undefined, expected: 'transient' },
  {
    title: 'connection refused',
    error: networkError('ECONNREFUSED'),
    status: undefined,
    expected: 'transient',
  },
  { title: 'ApiError 403', error: apiError(403), status: 403, expected: 'permission' },
  { title: 'ApiError 401', error: apiError(401), status: 401, expected: 'permission' },
  { title: 'ApiError 400', error: apiError(400), status: 400, expected: 'failed' },
  {
    title: 'resumable 412 body object',
    error: { code: 412, message: 'pre-conditions' },
    status: 412,
    expected: 'failed',
  },
  { title: 'string status code', error: { code: '404', message: 'gone' }, status: 404, expected: 'failed' },
  {
    title: 'a programming error',
    error: new TypeError('x is undefined'),
    status: undefined,
    expected: 'unchanged',
  },
];

describe('statusOf', () => {
  it.each(cases)('reads $status from $title', ({ error, status }) => {
    expect(statusOf(error)).toBe(status);
  });
});

describe('mapGcsError', () => {
  it.each(cases)('maps $title to $expected', ({ error, expected }) => {
    const mapped = mapGcsError(error, 'stat of gs://b/n');
    if (expected === 'unchanged') {
      expect(mapped).toBe(error);
      return;
    }
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toContain('stat of gs://b/n');
    if (expected === 'transient') {
      expect(mapped).toBeInstanceOf(TransientError);
      expect(mapped).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } else {
      expect(mapped).toBeInstanceOf(PermanentError);
      expect(mapped).toMatchObject({
        code: expected === 'permission' ? 'STORAGE_PERMISSION_DENIED' : 'STORAGE_FAILED',
      });
    }
  });

  it('keeps a Retry-After delay the service asked for', () => {
    const error = Object.assign(apiError(429), { response: { headers: { 'retry-after': '7' } } });
    expect(mapGcsError(error, 'upload')).toMatchObject({ retryAfterMs: 7000, status: 429 });
  });

  it('keeps only the first line of long messages', () => {
    const mapped = mapGcsError(apiError(500, `first line\n${'x'.repeat(5000)}`), 'list');
    expect(mapped.message).toBe('Cloud Storage list failed transiently (HTTP 500): first line');
  });
});
