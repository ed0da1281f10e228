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

/** One answer of a finished batch (inline, or a line of its responses file), matched by the key the request carried. */
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

/** One request of a batch, with the key its answer comes back with. */
export interface KeyedRequest {
  key: string;
  request: Record<string, unknown>;
}

/** What a batch job is created from: inline requests, or a file {@link BatchClient.uploadRequests} made. */
export type BatchSource = { requests: KeyedRequest[] } | { fileName: string };

/** A batch service (see the module comment). */
export interface BatchClient {
  /**
   * Creates a batch job. Not idempotent: two calls make two jobs.
   * @returns the job's name (`batches/…`)
   * @throws BatchCreateRejected when the service refused the batch (nothing was created);
   *   any other error leaves it unknown whether the job exists
   */
  create(options: { model: string; displayName: string } & BatchSource): Promise<string>;
  /**
   * Uploads requests as one input file under a name of ours, so a retry after a lost answer finds
   * the file instead of storing a second one.
   * @param options.name the file's name (`files/…`: up to 40 lowercase letters, digits, dashes)
   * @returns the file's name
   * @throws BatchCreateRejected when the service refused the file (too large, storage full)
   */
  uploadRequests(options: { name: string; requests: KeyedRequest[] }): Promise<string>;
  /** @returns the name of the job with this display name, if one exists */
  /** Deletes an input file once its batch finished (files also expire on their own). */
  deleteFile(name: string): Promise<void>;
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
