import { describe, expect, it } from 'vitest';
import { TestQueue } from '../../support/cloud-tasks-server/queue.js';

/** The Cloud Tasks test server must back off like the service: doubling, then linear, capped. */
describe('TestQueue.backoffMs', () => {
  const queue = (maxDoublings: number) =>
    new TestQueue(
      'projects/p/locations/l/queues/q',
      {
        maxDispatchesPerSecond: 1,
        maxConcurrentDispatches: 1,
        maxAttempts: -1,
        maxRetryDurationS: 0,
        minBackoffS: 10,
        maxBackoffS: 300,
        maxDoublings,
      },
      {
        clock: { now: () => 0, setTimer: () => ({ cancel() {} }), scale: 1 },
        log: [],
        finished() {},
        duplicate: () => false,
      },
    );

  it('doubles maxDoublings times, then grows linearly, up to maxBackoff (queue.proto RetryConfig)', () => {
    // The proto's example: min 10 s, max 300 s, 3 doublings → 10, 20, 40, 80, 160, 240, 300, 300.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => queue(3).backoffMs(n) / 1000)).toEqual([
      10, 20, 40, 80, 160, 240, 300, 300,
    ]);
  });
});
