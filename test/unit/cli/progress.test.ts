import { describe, expect, it } from 'vitest';
import {
  createProgress,
  formatDuration,
  formatProgress,
  shouldShowProgress,
} from '../../../shared/cli/progress.js';

function streamFactory(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (c: string) => chunks.push(c) } };
}

describe('formatProgress', () => {
  it('shows counts, elapsed time and an ETA from the average so far', () => {
    expect(formatProgress({ done: 5, total: 10, elapsedMs: 20_000, unit: 'files', width: 80 })).toBe(
      '[███████████████░░░░░░░░░░░░░░░]   5/10 files · 0:20 elapsed · ETA 0:20',
    );
  });

  it('draws the bar at 80 columns when the terminal reports a width of 0', () => {
    expect(formatProgress({ done: 1, total: 1, elapsedMs: 1000, width: 0 })).toMatch(/^\[█{30}\]/);
  });

  it('has no ETA before the first item and drops the bar on a narrow terminal', () => {
    expect(formatProgress({ done: 0, total: 3, elapsedMs: 0, width: 30 })).toBe(
      '0/3 · 0:00 elapsed · ETA --:--',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7_400, '0:07'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('shouldShowProgress', () => {
  it('shows the bar only on a TTY outside CI', () => {
    expect(shouldShowProgress({ isTTY: true, write() {} }, {})).toBe(true);
    expect(shouldShowProgress({ isTTY: false, write() {} }, {})).toBe(false);
    expect(shouldShowProgress({ isTTY: true, write() {} }, { CI: 'true' })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, write() {} }, { CI: '1' })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, write() {} }, { CI: 'false' })).toBe(true);
  });
});

describe('createProgress', () => {
  it('redraws in place and clears itself around interrupting output', () => {
    const { stream, chunks } = streamFactory(true);
    let t = 0;
    const progress = createProgress({ stream, env: {}, unit: 'files', now: () => t });
    t = 2_000;
    progress.update(1, 4);
    const printed: string[] = [];
    progress.interrupt(() => printed.push('✔ a.png'));
    progress.stop();
    progress.interrupt(() => printed.push('Report: index.html'));
    expect(chunks[0]?.startsWith('\r\x1b[2K[')).toBe(true);
    expect(chunks[0]).toMatch(/\]\s+1\/4 files · 0:02 elapsed · ETA 0:06$/);
    expect(chunks[1]).toBe('\r\x1b[2K');
    expect(chunks[2]).toMatch(/1\/4 files/);
    expect(chunks.at(-1)).toBe('\r\x1b[2K');
    expect(printed).toEqual(['✔ a.png', 'Report: index.html']);
    expect(chunks).toHaveLength(4);
  });

  it('writes nothing when stderr is not a terminal, or under CI', () => {
    for (const [tty, env] of [
      [false, {}],
      [true, { CI: 'true' }],
    ] as const) {
      const { stream, chunks } = streamFactory(tty);
      const progress = createProgress({ stream, env });
      progress.update(1, 2);
      let called = false;
      progress.interrupt(() => {
        called = true;
      });
      progress.stop();
      expect(progress.enabled).toBe(false);
      expect(called).toBe(true);
      expect(chunks).toEqual([]);
    }
  });
});
