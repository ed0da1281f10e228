/** Small statistics and timing helpers for the benchmarks. */

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('Expected at least one value for a median but received none');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Wall and CPU milliseconds of one run (CPU: this process, all threads, user + system). */
export interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Times a promise-returning function: wall clock and this process's CPU time. */
export async function timed<T>(fn: () => Promise<T>): Promise<Sample & { value: T }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, value };
}

/**
 * Runs each function once per round, rotating the order every round, so that drift on a
 * noisy machine (other processes, thermal) hits every side alike.
 * @returns the samples of each function, in the order the functions were given
 */
export async function interleave(
  rounds: number,
  fns: ReadonlyArray<(round: number) => Promise<unknown>>,
): Promise<Sample[][]> {
  const out: Sample[][] = fns.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + round) % fns.length;
      const fn = fns[i] as (round: number) => Promise<unknown>;
      const { wallMs, cpuMs } = await timed(() => fn(round));
      out[i]?.push({ wallMs, cpuMs });
    }
  }
  return out;
}

/** Medians of the wall and CPU times of some samples. */
export function medians(samples: readonly Sample[]): Sample {
  return { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)) };
}

/** Rounds to a few significant digits for tables. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
