/**
 * One queue of the Cloud Tasks test server: dispatches its tasks to their HTTP targets the way
 * the service documents it (shared reference: cloud-tasks.md): a token bucket refilled at
 * `maxDispatchesPerSecond`, at most `maxConcurrentDispatches` in flight, retries with
 * exponential backoff (`minBackoff` doubling `maxDoublings` times, then linear, up to
 * `maxBackoff`, and never sooner than a `Retry-After`), a dispatch deadline, the
 * `X-CloudTasks-*` headers and an OIDC-shaped bearer token. Any 2xx is success; anything else
 * (or no answer in time) is retried.
 */
import type { TestClock } from './clock.js';
import { oidcToken } from './oidc.js';

/** Queue settings, in the units of the REST resource (seconds). */
export interface QueueSettings {
  maxDispatchesPerSecond: number;
  maxConcurrentDispatches: number;
  /** -1: unlimited. */
  maxAttempts: number;
  /** 0: unlimited. */
  maxRetryDurationS: number;
  minBackoffS: number;
  maxBackoffS: number;
  maxDoublings: number;
}

/** A task as the server keeps it. */
export interface StoredTask {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  oidc?: { serviceAccountEmail: string; audience?: string | undefined } | undefined;
  scheduleTime: number;
  createTime: number;
  dispatchDeadlineMs: number;
  dispatchCount: number;
  responseCount: number;
  /** Responses other than 5xx (`X-CloudTasks-TaskExecutionCount`). */
  executionCount: number;
  firstAttempt?: number | undefined;
  lastStatus?: number | undefined;
  inFlight: boolean;
}

/** One dispatch the server made, for tests to inspect. */
export interface DispatchRecord {
  queue: string;
  task: string;
  /** HTTP status, or `deadline` / `error` when no answer came. */
  result: number | 'deadline' | 'error';
  retryCount: number;
  /** true for the extra copy of an at-least-once duplicate. */
  duplicate: boolean;
  at: number;
}

/** What a queue needs from its server. */
export interface QueueHost {
  clock: TestClock;
  log: DispatchRecord[];
  /** Called when a task is done (success or given up), to start its dedup window. */
  finished(task: StoredTask, outcome: 'succeeded' | 'abandoned'): void;
  /** Draws whether a dispatch is duplicated (at-least-once). */
  duplicate(): boolean;
}

/** A queue and its dispatch loop. */
export class TestQueue {
  readonly tasks = new Map<string, StoredTask>();
  private tokens: number;
  private refilledAt: number;
  private inFlight = 0;
  private timer: { cancel(): void } | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  state: 'RUNNING' | 'PAUSED' = 'RUNNING';

  constructor(
    readonly name: string,
    readonly settings: QueueSettings,
    private readonly host: QueueHost,
  ) {
    this.tokens = this.burst;
    this.refilledAt = host.clock.now();
  }

  /** The bucket size: Cloud Tasks derives it from the rate (formula unpublished); at least 1. */
  get burst(): number {
    return Math.max(1, Math.ceil(this.settings.maxDispatchesPerSecond));
  }

  add(task: StoredTask): void {
    this.tasks.set(task.name, task);
    this.pump();
  }

  remove(name: string): boolean {
    const existed = this.tasks.delete(name);
    this.pump();
    return existed;
  }

  /** Dispatches every task that may go now, then sleeps until the next one may. */
  pump(): void {
    const now = this.host.clock.now();
    this.refill(now);
    let next = Number.POSITIVE_INFINITY;
    if (this.state === 'RUNNING') {
      const ready = [...this.tasks.values()]
        .filter((t) => !t.inFlight)
        .sort((a, b) => a.scheduleTime - b.scheduleTime);
      for (const task of ready) {
        if (task.scheduleTime > now) {
          next = Math.min(next, task.scheduleTime);
          break;
        }
        if (this.inFlight >= this.settings.maxConcurrentDispatches) break;
        if (this.tokens < 1) {
          next = Math.min(next, now + ((1 - this.tokens) / this.settings.maxDispatchesPerSecond) * 1000);
          break;
        }
        this.tokens -= 1;
        void this.dispatch(task);
      }
    }
    if (next < this.timerAt || !Number.isFinite(this.timerAt)) this.schedule(next);
  }

  private schedule(at: number): void {
    this.timer?.cancel();
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = this.host.clock.setTimer(Math.max(1, at - this.host.clock.now()), () => {
      this.timerAt = Number.POSITIVE_INFINITY;
      this.timer = undefined;
      this.pump();
    });
  }

  private refill(now: number): void {
    const add = ((now - this.refilledAt) / 1000) * this.settings.maxDispatchesPerSecond;
    this.tokens = Math.min(this.burst, this.tokens + add);
    this.refilledAt = now;
  }

  private async dispatch(task: StoredTask): Promise<void> {
    task.inFlight = true;
    this.inFlight += 1;
    const retryCount = task.dispatchCount;
    task.dispatchCount += 1;
    task.firstAttempt ??= this.host.clock.now();
    const copies = this.host.duplicate() ? [false, true] : [false];
    const results = await Promise.all(copies.map((duplicate) => this.send(task, retryCount, duplicate)));
    const { result, retryAfterMs } = results[0] as {
      result: DispatchRecord['result'];
      retryAfterMs?: number;
    };
    this.inFlight -= 1;
    task.inFlight = false;
    if (typeof result === 'number') {
      task.responseCount += 1;
      if (result < 500) task.executionCount += 1;
      task.lastStatus = result;
    }
    if (!this.tasks.has(task.name)) return this.pump(); // deleted while in flight
    if (typeof result === 'number' && result >= 200 && result < 300) {
      this.tasks.delete(task.name);
      this.host.finished(task, 'succeeded');
    } else if (this.exhausted(task)) {
      this.tasks.delete(task.name);
      this.host.finished(task, 'abandoned');
    } else {
      task.scheduleTime =
        this.host.clock.now() + Math.max(this.backoffMs(task.dispatchCount), retryAfterMs ?? 0);
    }
    this.pump();
  }

  private async send(
    task: StoredTask,
    retryCount: number,
    duplicate: boolean,
  ): Promise<{ result: DispatchRecord['result']; retryAfterMs?: number }> {
    const clock = this.host.clock;
    const headers: Record<string, string> = {
      ...task.headers,
      'User-Agent': 'Google-Cloud-Tasks',
      'X-CloudTasks-QueueName': this.name.split('/').pop() as string,
      'X-CloudTasks-TaskName': task.name.split('/').pop() as string,
      'X-CloudTasks-TaskRetryCount': String(retryCount),
      'X-CloudTasks-TaskExecutionCount': String(task.executionCount),
      'X-CloudTasks-TaskETA': (task.scheduleTime / 1000).toFixed(6),
    };
    if (retryCount > 0) {
      headers['X-CloudTasks-TaskPreviousResponse'] = String(task.lastStatus ?? 0);
      headers['X-CloudTasks-TaskRetryReason'] = '';
    }
    if (task.oidc) {
      // The token overrides any Authorization header of the task.
      headers.Authorization = `Bearer ${oidcToken({
        email: task.oidc.serviceAccountEmail,
        audience: task.oidc.audience ?? task.url,
        nowMs: clock.now(),
      })}`;
    }
    const controller = new AbortController();
    const deadline = clock.setTimer(task.dispatchDeadlineMs, () => controller.abort());
    const record = (result: DispatchRecord['result']) =>
      this.host.log.push({
        queue: this.name,
        task: task.name,
        result,
        retryCount,
        duplicate,
        at: clock.now(),
      });
    try {
      const res = await fetch(task.url, {
        method: task.method,
        headers,
        ...(task.body.length ? { body: new Uint8Array(task.body) } : {}),
        signal: controller.signal,
      });
      await res.arrayBuffer();
      record(res.status);
      const after = Number(res.headers.get('retry-after'));
      return { result: res.status, ...(after > 0 ? { retryAfterMs: after * 1000 } : {}) };
    } catch {
      // The worker keeps running after a deadline; only this attempt has failed.
      const result = controller.signal.aborted ? 'deadline' : 'error';
      record(result);
      return { result };
    } finally {
      deadline.cancel();
    }
  }

  private exhausted(task: StoredTask): boolean {
    const { maxAttempts, maxRetryDurationS } = this.settings;
    if (maxAttempts === -1 && maxRetryDurationS === 0) return false;
    // Retries stop once both limits are reached; an unlimited one is reached at once
    // (queue.proto RetryConfig: -1 attempts and 0 duration mean "unlimited").
    const attemptsDone = maxAttempts === -1 || task.dispatchCount >= maxAttempts;
    const durationDone =
      maxRetryDurationS === 0 ||
      this.host.clock.now() - (task.firstAttempt ?? task.createTime) >= maxRetryDurationS * 1000;
    return attemptsDone && durationDone;
  }

  /** The wait before retry `n` (1-based): doubling `maxDoublings` times, then linear. */
  backoffMs(n: number): number {
    const { minBackoffS, maxBackoffS, maxDoublings } = this.settings;
    const doublings = Math.min(n - 1, maxDoublings);
    const linear = Math.max(0, n - 1 - maxDoublings);
    const s = minBackoffS * 2 ** doublings + linear * minBackoffS * 2 ** maxDoublings;
    return Math.min(maxBackoffS, s) * 1000;
  }
}
