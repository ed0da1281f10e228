/**
 * The BatchClient port: a model service's batch jobs, as the collector needs them. The Gemini
 * adapter is `shared/engines/gemini/batch-client.ts`.
 */

/** A batch job's state, as the service reports it (lowercased, without prefix). */
export const REMOTE_BATCH_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
] as const;
export type RemoteBatchState = (typeof REMOTE_BATCH_STATES)[number];

/** One answer of a finished batch, matched by the key the request carried. */
export interface RemoteBatchResponse {
  key?: string | undefined;
  response?: unknown;
  error?: { code?: number | undefined; message?: string | undefined } | undefined;
}

/** What a `get` reports. */
export interface RemoteBatch {
  name: string;
  displayName?: string | undefined;
  state: RemoteBatchState | string;
  responses?: RemoteBatchResponse[] | undefined;
  error?: { message?: string | undefined } | undefined;
}

/** A batch service (see the module comment). */
export interface BatchClient {
  /**
   * Creates a batch job. Not idempotent: two calls make two jobs.
   * @returns the job's name (`batches/…`)
   * @throws BatchCreateRejected when the service refused the batch (nothing was created);
   *   any other error leaves it unknown whether the job exists
   */
  create(options: {
    model: string;
    displayName: string;
    requests: { key: string; request: Record<string, unknown> }[];
  }): Promise<string>;
  /** @returns the name of the job with this display name, if one exists */
  findByDisplayName(displayName: string): Promise<string | undefined>;
  get(name: string): Promise<RemoteBatch>;
  cancel(name: string): Promise<void>;
}

/** The service refused a create (a 4xx): no batch job exists. */
export class BatchCreateRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BatchCreateRejected';
  }
}
