import { describe, expect, it } from 'vitest';
import { startOnce } from '../../../shared/cloud/start-once.js';

describe('startOnce', () => {
  it('builds the runtime once and hands every caller the same one', async () => {
    let starts = 0;
    const get = startOnce(async () => ({ n: ++starts }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(starts).toBe(1);
  });

  it('does not keep a failed start: the next call tries again', async () => {
    let starts = 0;
    const get = startOnce(async () => {
      starts += 1;
      if (starts === 1) throw new Error('GEMINI_API_KEY is required');
      return { n: starts };
    });
    await expect(get()).rejects.toThrow('GEMINI_API_KEY is required');
    expect(await get()).toEqual({ n: 2 });
    expect(await get()).toEqual({ n: 2 });
    expect(starts).toBe(2);
  });
});
