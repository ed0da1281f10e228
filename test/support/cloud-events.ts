/**
 * CloudEvents for tests: a factory for Cloud Storage `finalized` events shaped like Eventarc's,
 * and helpers that POST them to a functions-framework server in binary or structured mode.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';

/** Fields of {@link storageObjectEventFactory}. */
export interface StorageEventInit {
  bucket: string;
  name: string;
  /** A string as Eventarc sends it, or a number as Google's synthetic fixtures do. */
  generation?: string | number | undefined;
  metageneration?: string | number | undefined;
  size?: string | number | undefined;
  contentType?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Event time (default now). */
  time?: string | undefined;
  id?: string | undefined;
  type?: string | undefined;
  traceparent?: string | undefined;
}

/** A CloudEvent (spec 1.0) as plain JSON. */
export interface TestCloudEvent {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute Eventarc adds to storage events. */
  bucket: string;
  traceparent?: string;
  data: Record<string, unknown>;
}

/**
 * A `google.cloud.storage.object.v1.finalized` event for one object generation.
 * @example storageObjectEventFactory({ bucket: 'in', name: 'a b/é.jpg', generation: '1743752582769318' })
 */
export function storageObjectEventFactory(init: StorageEventInit): TestCloudEvent {
  const time = init.time ?? new Date().toISOString();
  return {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    type: init.type ?? 'google.cloud.storage.object.v1.finalized',
    source: `//storage.googleapis.com/projects/_/buckets/${init.bucket}`,
    subject: `objects/${init.name}`,
    time,
    datacontenttype: 'application/json',
    bucket: init.bucket,
    ...(init.traceparent ? { traceparent: init.traceparent } : {}),
    data: {
      kind: 'storage#object',
      bucket: init.bucket,
      name: init.name,
      id: `${init.bucket}/${init.name}/${init.generation ?? ''}`,
      ...(init.generation !== undefined ? { generation: init.generation } : {}),
      metageneration: init.metageneration ?? '1',
      ...(init.size !== undefined ? { size: init.size } : {}),
      contentType: init.contentType ?? 'application/octet-stream',
      ...(init.metadata ? { metadata: init.metadata } : {}),
      timeCreated: time,
      updated: time,
      storageClass: 'STANDARD',
    },
  };
}

/** An HTTP answer of the function. */
export interface FunctionReply {
  status: number;
  body: string;
  headers: Headers;
}

/**
 * POSTs an event in binary content mode: attributes as `ce-*` headers, data as the JSON body.
 * @param rawData the body text to send instead of `JSON.stringify(event.data)` (e.g. big numbers)
 * @param contentType the body's `content-type` (its `datacontenttype`), `application/json` by default
 */
export async function postBinary(
  url: string,
  event: TestCloudEvent,
  rawData?: string,
  contentType = 'application/json',
): Promise<FunctionReply> {
  const headers: Record<string, string> = { 'content-type': contentType };
  for (const [key, value] of Object.entries(event)) {
    if (key === 'data' || key === 'datacontenttype') continue;
    if (key === 'traceparent') headers.traceparent = String(value);
    else headers[`ce-${key}`] = String(value);
  }
  return _post(url, headers, rawData ?? JSON.stringify(event.data));
}

/** POSTs an event in structured content mode: the whole event as `application/cloudevents+json`. */
export async function postStructured(url: string, event: TestCloudEvent): Promise<FunctionReply> {
  return _post(url, { 'content-type': 'application/cloudevents+json' }, JSON.stringify(event));
}

/** The functions framework's own server for a registered function, listening on 127.0.0.1. */
export interface FunctionServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `getTestServer(name)` on a free port. Import the module that registers the function first.
 * @param name the registered function name
 */
export async function startFunctionServer(name: string): Promise<FunctionServer> {
  const server: Server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function _post(url: string, headers: Record<string, string>, body: string): Promise<FunctionReply> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
