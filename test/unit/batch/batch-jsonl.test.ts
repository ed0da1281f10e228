import { describe, expect, it } from 'vitest';
import {
  parseResponsesJsonl,
  requestsJsonl,
  restRequestOf,
} from '../../../shared/engines/gemini/batch-jsonl.js';

describe('batch JSONL (shared/engines/gemini/batch-jsonl.ts)', () => {
  describe('restRequestOf', () => {
    it('moves the SDK config into generationConfig, request-level fields to the top, and drops client-only ones', () => {
      const rest = restRequestOf({
        contents: [{ role: 'user', parts: [{ text: 'x' }] }],
        config: {
          responseModalities: ['TEXT', 'IMAGE'],
          seed: 7,
          imageConfig: { aspectRatio: '1:1' },
          systemInstruction: { parts: [{ text: 'be careful' }] },
          httpOptions: { timeout: 10 },
          abortSignal: undefined,
        },
      });
      expect(rest).toEqual({
        contents: [{ role: 'user', parts: [{ text: 'x' }] }],
        systemInstruction: { parts: [{ text: 'be careful' }] },
        generationConfig: {
          responseModalities: ['TEXT', 'IMAGE'],
          seed: 7,
          imageConfig: { aspectRatio: '1:1' },
        },
      });
    });

    it('leaves a request without config as it is', () => {
      expect(restRequestOf({ contents: [] })).toEqual({ contents: [] });
    });
  });

  it('writes one line per request, each with its key', () => {
    const text = requestsJsonl([
      { key: 'a', request: { contents: [], config: { seed: 1 } } },
      { key: 'b', request: { contents: [] } },
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { key: 'a', request: { contents: [], generationConfig: { seed: 1 } } },
      { key: 'b', request: { contents: [] } },
    ]);
  });

  it('reads answers and errors by key, and a broken line as an unkeyed error', () => {
    const answers = parseResponsesJsonl(
      `${JSON.stringify({ key: 'a', response: { candidates: [] } })}\n\nnot json\n${JSON.stringify({
        key: 'b',
        error: { code: 400, message: 'bad' },
      })}\n`,
    );
    expect(answers).toEqual([
      { key: 'a', response: { candidates: [] }, error: undefined },
      { error: { message: 'a line of the responses file is not JSON' } },
      { key: 'b', response: undefined, error: { code: 400, message: 'bad' } },
    ]);
  });
});
