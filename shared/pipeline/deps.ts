import type { BatchStore } from '../batch/batch-store.js';
import { type Clock, SYSTEM_CLOCK } from '../clock.js';
import type { Config } from '../config.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { EngineRegistry } from '../engines/engine.js';
import type { LineageStore } from '../lineage/lineage-store.js';
import type { Logger } from '../log.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Everything the pipeline needs, built once per process by the composition root. */
export interface PipelineDeps {
  config: Config;
  /** Reads inputs and references, writes results. */
  store: ObjectStore;
  lineage: LineageStore;
  engines: EngineRegistry;
  log: Logger;
  /** Identifies this process in leases (e.g. instance id + pid). */
  owner: string;
  /** The results location (bucket and prefix ending in `/` or empty). */
  results: { bucket: string; prefix: string };
  /** How stages reach the engines (absent: inline, every stage in this process). */
  dispatcher?: Dispatcher | undefined;
  /** The batch lane's records (absent: a request in the batch lane fails with BATCH_LANE_UNAVAILABLE). */
  batches?: BatchStore | undefined;
  /** Milliseconds since the epoch (injectable for tests; default the system clock). */
  now?: Clock['now'];
  /** Waits between tries of a write (injectable for tests; default a timer). */
  sleep?: Clock['sleep'];
  /** Hosts a request's `notify.url` may name (`WEBHOOK_HOSTS`); none: per-request webhooks are refused. */
  webhookHosts?: readonly string[] | undefined;
}

/** Milliseconds since the epoch, from the deps' clock. */
export function nowOf(deps: Pick<PipelineDeps, 'now'>): number {
  return (deps.now ?? SYSTEM_CLOCK.now)();
}
