import { type Clock, SYSTEM_CLOCK } from '../clock.js';
/**
 * A one-line progress bar for batch runs, on stderr: counts, elapsed time and ETA.
 * Shown only to a person at a terminal: quiet when stderr is not a TTY or `CI` is set.
 */

/** What the bar draws on: a writable stream such as `process.stderr`. */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(chunk: string): unknown;
}

/** A progress bar; every method is a no-op when it is disabled. */
export interface Progress {
  readonly enabled: boolean;
  /** Redraws the bar at `done` of `total`. */
  update(done: number, total: number): void;
  /** Writes a line of output above the bar (without tearing it). */
  interrupt(write: () => void): void;
  /** Erases the bar. */
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  stream: ProgressStream;
  /** The environment, to honour `CI`. */
  env: NodeJS.ProcessEnv;
  /** What is being counted, e.g. `files`. */
  unit?: string;
  /** The clock (tests). */
  now?: Clock['now'];
}

/**
 * @returns true when a bar should be drawn: the stream is a TTY and `CI` is not set (to anything but `false`/`0`)
 */
export function shouldShowProgress(stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
  return stream.isTTY === true && !inCi;
}

/**
 * Creates a progress bar.
 * @example
 * const progress = createProgress({ stream: process.stderr, env: process.env, unit: 'files' });
 * progress.update(3, 40); // [███░░░…]  3/40 files · 0:12 elapsed · ETA 2:36
 */
export function createProgress(options: ProgressOptions): Progress {
  const enabled = shouldShowProgress(options.stream, options.env);
  const now = options.now ?? SYSTEM_CLOCK.now;
  const started = now();
  let drawn = false;
  let last: { done: number; total: number } | undefined;
  const clear = () => {
    if (drawn) options.stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    if (!last) return;
    const line = formatProgress({
      ...last,
      elapsedMs: now() - started,
      unit: options.unit,
      width: options.stream.columns,
    });
    options.stream.write(`\r\x1b[2K${line}`);
    drawn = true;
  };
  return {
    enabled,
    update(done, total) {
      if (!enabled) return;
      last = { done, total };
      draw();
    },
    interrupt(write) {
      if (!enabled) return write();
      clear();
      write();
      draw();
    },
    stop() {
      if (!enabled) return;
      clear();
      // Output after the batch must not bring the finished bar back.
      last = undefined;
    },
  };
}

/** One state of the bar. */
export interface ProgressState {
  done: number;
  total: number;
  elapsedMs: number;
  unit?: string | undefined;
  /** Terminal width (default 80, also when the terminal reports 0). */
  width?: number | undefined;
}

/**
 * Renders the bar as text. The ETA assumes the remaining items take as long as the done ones did.
 * @example formatProgress({ done: 5, total: 10, elapsedMs: 20_000 }) // '[██████████░░░░░░░░░░]  5/10 · 0:20 elapsed · ETA 0:20'
 */
export function formatProgress(state: ProgressState): string {
  const total = Math.max(state.total, state.done, 0);
  const ratio = total === 0 ? 1 : state.done / total;
  const eta =
    state.done === 0 ? '--:--' : formatDuration((state.elapsedMs / state.done) * (total - state.done));
  const counts = `${String(state.done).padStart(String(total).length)}/${total}${state.unit ? ` ${state.unit}` : ''}`;
  const text = `${counts} · ${formatDuration(state.elapsedMs)} elapsed · ETA ${eta}`;
  const barWidth = Math.max(0, Math.min(30, (state.width || 80) - text.length - 5));
  if (barWidth < 5) return text;
  const filled = Math.round(ratio * barWidth);
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]  ${text}`;
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
