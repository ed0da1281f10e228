import { type Clock, SYSTEM_CLOCK } from '../clock.js';
import type { Engine, EngineRegistry } from '../engines/engine.js';

/**
 * In-process pacing for the CLI and embedded runs (`MODEL_RPM`): the same policy as a task
 * queue's dispatch rate, inside one process. Calls to a paced model start at least
 * `60 000 / rpm` ms apart, in arrival order, so a folder run against a real key stays under the
 * model's per-minute quota instead of provoking a storm of 429s. It paces one process only;
 * several processes sharing a quota need tasks mode (docs/dispatch.md).
 */

/** Options of {@link paceEngines}. */
export interface PaceOptions {
  /** Requests per minute by model or engine name (`MODEL_RPM`); a model's entry wins. */
  rpm: ReadonlyMap<string, number>;
  /** The clock pacing waits on (injectable for tests); default the system clock. */
  clock?: Clock | undefined;
}

/**
 * Wraps the engines of a registry so that their `edit` calls are paced (see the module comment).
 * Engines with no `MODEL_RPM` entry (for their model or their name) are returned as they are.
 * @example paceEngines(engines, { rpm: new Map([['gemini-3.1-flash-image', 10]]) })
 */
export function paceEngines(engines: EngineRegistry, options: PaceOptions): EngineRegistry {
  if (options.rpm.size === 0) return engines;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const next = new Map<string, number>();
  /** Reserves the next start time of `key` and waits for it. */
  const slot = async (key: string, rpm: number) => {
    const now = clock.now();
    const at = Math.max(now, next.get(key) ?? now);
    next.set(key, at + 60_000 / rpm);
    if (at > now) await clock.sleep(at - now);
  };
  const paced = (engine: Engine): Engine => ({
    name: engine.name,
    generative: engine.generative,
    plan: (stage) => engine.plan(stage),
    async edit(request) {
      const model = engine.plan(request.stage).model;
      const key = options.rpm.has(model) ? model : engine.name;
      const rpm = options.rpm.get(key);
      if (rpm !== undefined) await slot(key, rpm);
      return engine.edit(request);
    },
  });
  return new Map([...engines].map(([name, engine]) => [name, paced(engine)]));
}
