import { describe, expect, it } from 'vitest';
import { classify, retryHint } from '../../../../shared/engines/replicate/http-client.js';
import { EngineError, TransientError } from '../../../../shared/errors.js';

describe('retryHint', () => {
  interface HintCase {
    headers: Record<string, string>;
    detail?: string;
    expected: number | undefined;
  }
  it.each<HintCase>([
    { headers: { 'retry-after': '12' }, detail: 'resets in ~30s', expected: 12_000 },
    { headers: {}, detail: 'Request was throttled. Your rate limit resets in ~30s.', expected: 30_000 },
    { headers: {}, detail: 'Request was throttled. Expected available in 2 seconds.', expected: undefined },
    { headers: {}, expected: undefined },
  ])('reads $headers / $detail as $expected ms', ({ headers, detail, expected }) => {
    expect(retryHint(new Response(null, { status: 429, headers }), { detail })).toBe(expected);
  });

  it('reads an HTTP-date Retry-After against the injected clock', () => {
    const headers = { 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' };
    const now = () => Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(retryHint(new Response(null, { status: 429, headers }), {}, now)).toBe(30_000);
  });
});

describe('classify', () => {
  it.each([
    [401, 'ENGINE_PERMISSION_DENIED', EngineError],
    [403, 'ENGINE_PERMISSION_DENIED', EngineError],
    [404, 'ENGINE_MODEL_NOT_FOUND', EngineError],
    [422, 'ENGINE_REJECTED', EngineError],
    [402, 'ENGINE_REJECTED', EngineError],
    [502, 'ENGINE_UNAVAILABLE', TransientError],
  ] as const)('maps %i to %s', (status, code, errorClass) => {
    const error = classify(status, { detail: 'nope' }, 'create prediction (a/b)');

    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code, status });
    expect(error.message).toBe(`Replicate: create prediction (a/b) answered ${status}: nope`);
  });

  it('lists every invalid field of a 422', () => {
    const error = classify(
      422,
      {
        detail: '- input.seed: bad\n- input.scale: bad',
        invalid_fields: [
          { field: 'input.seed', description: 'Invalid type. Expected: integer' },
          { field: 'input.scale', description: 'Must be less than or equal to 10' },
        ],
      },
      'create prediction (a/b)',
    );

    expect(error.message).toContain(
      'input.seed: Invalid type. Expected: integer; input.scale: Must be less than or equal to 10',
    );
    expect(error.details?.invalidFields).toHaveLength(2);
  });
});
