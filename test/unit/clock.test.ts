import { describe, expect, it } from 'vitest';
import { clockFrom, SYSTEM_CLOCK } from '../../shared/clock.js';

describe('SYSTEM_CLOCK', () => {
  it('sleeps abortably: an aborted signal ends the wait with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('budget spent'));
    await expect(SYSTEM_CLOCK.sleep(60_000, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('clockFrom', () => {
  it('keeps the parts it is given and fills the others from the system clock', async () => {
    const waits: number[] = [];
    const clock = clockFrom({ now: () => 42, sleep: async (ms) => void waits.push(ms) });
    expect(clock.now()).toBe(42);
    await clock.sleep(7);
    expect(waits).toEqual([7]);
    expect(clockFrom({}).now).toBe(SYSTEM_CLOCK.now);
    expect(clockFrom({}).sleep).toBe(SYSTEM_CLOCK.sleep);
  });
});
