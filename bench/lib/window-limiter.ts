import type { Engine } from '../../shared/engines/engine.js';

/** Options of {@link limitEngine}. */
export interface WindowLimitOptions {
  /** Calls allowed per window (the quota). */
  limit: number;
  windowMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Extra wait after a slot frees. Default 1% of the window. */
  marginMs?: number;
}

/**
 * A measurement aid, not a product feature: wraps an engine so that its calls start no more
 * often than `limit` per rolling window, the same rule as the quota. It shows what a
 * client-side limiter in the engine would achieve (see docs/performance.md).
 */
export function limitEngine(engine: Engine, options: WindowLimitOptions): Engine {
  // A call holds its slot from its start until a window after it ends: the server counts it at
  // some moment in between, so this never lets more than `limit` through in any server window.
  const slots: { at: number }[] = [];
  const margin = options.marginMs ?? options.windowMs / 100;
  let queue: Promise<unknown> = Promise.resolve();
  const acquire = async (): Promise<{ at: number }> => {
    for (;;) {
      const t = options.now();
      const live = slots.filter((s) => t - s.at < options.windowMs + margin);
      slots.splice(0, slots.length, ...live);
      if (slots.length < options.limit) {
        const slot = { at: Number.POSITIVE_INFINITY };
        slots.push(slot);
        return slot;
      }
      const oldest = Math.min(...slots.map((s) => s.at));
      await options.sleep(
        Number.isFinite(oldest) ? oldest + options.windowMs + margin - t : options.windowMs / 100,
      );
    }
  };
  return {
    name: engine.name,
    generative: engine.generative,
    plan: (stage) => engine.plan(stage),
    async edit(request) {
      // One waiter at a time, so slots go out in arrival order.
      const slot = queue.then(acquire);
      queue = slot.catch(() => undefined);
      const held = await slot;
      try {
        return await engine.edit(request);
      } finally {
        held.at = options.now();
      }
    },
  };
}
