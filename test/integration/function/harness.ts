/**
 * One test file's world for the Cloud Function: the GCS test server (objects), the in-process
 * Firestore emulator (lineage, a project of its own), the Gemini test server, and the functions
 * framework's own server in front of `processUpload`. The function builds its runtime once per
 * process from `process.env`, so each test file sets the environment once, before the first event.
 */
import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import sharp from 'sharp';
import { createFirestoreLineageStore } from '../../../shared/lineage/firestore-lineage-store.js';
import type { LineageStore } from '../../../shared/lineage/lineage-store.js';
import type { JobRecord } from '../../../shared/lineage/records.js';
import { fixture, type ImageFixture } from '../../fixtures/index.js';
import {
  type FunctionReply,
  type FunctionServer,
  postBinary,
  postStructured,
  type StorageEventInit,
  startFunctionServer,
  storageObjectEventFactory,
  type TestCloudEvent,
} from '../../support/cloud-events.js';
import { type GcsServer, startGcsServer } from '../../support/gcs-server/index.js';
import { type GeminiServer, startGeminiServer } from '../../support/gemini-server.js';

/** The input bucket (`INPUT_BUCKET`). */
export const INPUT = 'uploads';
/** The results bucket (`RESULTS_BUCKET`). */
export const RESULTS = 'results';
/** The one bucket on the reference allow-list (`REFERENCE_BUCKETS`). */
export const LIBRARY = 'library';

/** A running function with its backing servers. */
export interface FunctionHarness {
  url: string;
  gcs: GcsServer;
  gemini: GeminiServer;
  lineage: LineageStore;
  /** Stores an object in the input bucket (a new generation). */
  upload(
    name: string,
    data: Buffer | string,
    init?: { contentType?: string; metadata?: Record<string, string> },
  ): StoredRef;
  /** Sends the finalized event of a stored generation, in binary (default) or structured mode. */
  send(ref: StoredRef, options?: SendOptions): Promise<FunctionReply>;
  /** Sends a prepared event. */
  post(event: TestCloudEvent, mode?: 'binary' | 'structured'): Promise<FunctionReply>;
  /** Every job written under `results/<stem>/`, with its files. */
  jobsOf(stem: string): Array<{ jobId: string; files: Map<string, StoredFile> }>;
  job(jobId: string): Promise<JobRecord | undefined>;
  close(): Promise<void>;
}

/** An object generation as the factory needs it. */
export interface StoredRef {
  bucket: string;
  name: string;
  generation: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
}

/** A stored result object. */
export interface StoredFile {
  name: string;
  generation: string;
  contentType: string;
  metadata: Record<string, string>;
  data: Buffer;
}

/** Options of {@link FunctionHarness.send}. */
export interface SendOptions extends Partial<StorageEventInit> {
  mode?: 'binary' | 'structured';
}

/**
 * Starts the servers, sets the function's environment, registers `processUpload` and serves it.
 * @param env extra variables (`''` unsets one) on top of the defaults: input bucket `uploads`,
 *   results bucket `results`, reference allow-list `library`, engine `local`
 */
export async function startFunctionHarness(env: Record<string, string> = {}): Promise<FunctionHarness> {
  const gcs = await startGcsServer();
  const gemini = await startGeminiServer();
  const projectId = `demo-function-${randomUUID().slice(0, 8)}`;
  const saved = setEnv({
    STORAGE_EMULATOR_HOST: gcs.host,
    GOOGLE_CLOUD_PROJECT: projectId,
    INPUT_BUCKET: INPUT,
    RESULTS_BUCKET: RESULTS,
    REFERENCE_BUCKETS: LIBRARY,
    DARKROOM_ENGINE: 'local',
    GEMINI_API_KEY: 'test',
    GOOGLE_GEMINI_BASE_URL: gemini.url,
    LOG_FORMAT: 'json',
    MIN_INPUT_SIDE: '64',
    ...env,
  });
  await import('../../../functions/index.js');
  const server: FunctionServer = await startFunctionServer('processUpload');
  const firestore = new Firestore({ projectId });
  const lineage = createFirestoreLineageStore({ firestore });
  const post = (event: TestCloudEvent, mode: 'binary' | 'structured' = 'binary') =>
    mode === 'binary' ? postBinary(server.url, event) : postStructured(server.url, event);
  return {
    url: server.url,
    gcs,
    gemini,
    lineage,
    upload(name, data, init = {}) {
      const stored = gcs.putObject(INPUT, name, data, {
        contentType: init.contentType ?? contentTypeOf(name),
        metadata: init.metadata,
      });
      return { ...stored, size: stored.data.length };
    },
    send(ref, options = {}) {
      const { mode, ...init } = options;
      const event = storageObjectEventFactory({
        bucket: ref.bucket,
        name: ref.name,
        generation: ref.generation,
        size: String(ref.size),
        contentType: ref.contentType,
        metadata: ref.metadata,
        ...init,
      });
      return post(event, mode);
    },
    post,
    jobsOf(stem) {
      const byJob = new Map<string, Map<string, StoredFile>>();
      for (const o of gcs.listObjects(RESULTS, `${stem}/`)) {
        const rest = o.name.slice(stem.length + 1);
        const jobId = rest.slice(0, rest.indexOf('/'));
        const files = byJob.get(jobId) ?? new Map<string, StoredFile>();
        files.set(rest.slice(jobId.length + 1), o);
        byJob.set(jobId, files);
      }
      return [...byJob].map(([jobId, files]) => ({ jobId, files }));
    },
    job: (jobId) => lineage.getJob(jobId),
    async close() {
      await server.close();
      await firestore.terminate();
      await gemini.close();
      await gcs.close();
      setEnv(saved);
    },
  };
}

/** A small JPEG made from a fixture photo (fast to process; above MIN_INPUT_SIDE). */
export async function smallPhoto(name: ImageFixture = 'chelsea.png', width = 320): Promise<Buffer> {
  return sharp(fixture(name)).resize({ width }).jpeg({ quality: 80 }).toBuffer();
}

/** A request as sidecar bytes. */
export function sidecar(request: Record<string, unknown>): string {
  return JSON.stringify(request);
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.png')) return 'image/png';
  return name.endsWith('.jpg') ? 'image/jpeg' : 'application/octet-stream';
}

/** Sets (or with `''` unsets) variables. @returns the previous values, to restore with the same call */
function setEnv(values: Record<string, string | undefined>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    previous[key] = process.env[key];
    if (value === undefined || value === '') delete process.env[key];
    else process.env[key] = value;
  }
  return previous;
}
