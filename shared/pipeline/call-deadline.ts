import { TransientError } from '../errors.js';
import { nowOf, type PipelineDeps } from './deps.js';

/**
 * When an invocation's calls to Cloud Storage and Firestore are cut off: half-way through the
 * deadline margin, so that the other half is left to answer the platform (HTTP 500, redelivered)
 * before its own timeout ends the instance's request with no answer.
 * @param deadline the invocation's deadline (no engine call starts after it)
 */
export function callCutoff(deps: Pick<PipelineDeps, 'config'>, deadline: number): number {
  return deadline + Math.floor(deps.config.timing.deadlineMarginMs / 2);
}

/**
 * The deps with every call of the object store and of the lineage store bounded by `cutoff`
 * (epoch ms): a call still pending then is abandoned (its late result is ignored) and rejects
 * with TransientError `DEADLINE_EXCEEDED`, so an unreachable Firestore or Cloud Storage cannot hold
 * a delivery past the platform's timeout. The ports stay as they are; this wraps them once.
 * @example const bounded = withCallDeadline(deps, callCutoff(deps, deadline));
 */
export function withCallDeadline(deps: PipelineDeps, cutoff: number): PipelineDeps {
  const bound = <T extends object>(port: T, service: string): T =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          _race(deps, cutoff, `${service} ${String(prop)}`, () => value.apply(target, args));
      },
    });
  return { ...deps, store: bound(deps.store, 'Cloud Storage'), lineage: bound(deps.lineage, 'Firestore') };
}

function _race<T>(deps: PipelineDeps, cutoff: number, what: string, call: () => Promise<T>): Promise<T> {
  const left = cutoff - nowOf(deps);
  const expired = () =>
    new TransientError(
      'DEADLINE_EXCEEDED',
      `${what} did not answer before the invocation's deadline; the platform redelivers the event`,
    );
  if (left <= 0) return Promise.reject(expired());
  const pending = call();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(expired()), left);
    timer.unref();
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
