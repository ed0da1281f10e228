/**
 * A function's runtime, built once per instance on first use: the SDKs load on the first request,
 * not at cold start. A failed start (bad configuration) is not cached: the next request tries again.
 * @param start builds the runtime
 * @returns the getter every request calls
 */
export function startOnce<T>(start: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    if (!current) {
      const starting = start();
      starting.catch(() => {
        if (current === starting) current = undefined;
      });
      current = starting;
    }
    return current;
  };
}
