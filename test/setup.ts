import { afterEach, vi } from 'vitest';

// The pipeline logs every event; keep test output readable unless asked.
if (!process.env.DARKROOM_TEST_LOGS) {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
}

afterEach(() => {
  vi.useRealTimers();
});
