/**
 * Reads a CloudEvent from an HTTP request, the way the functions framework does for a
 * `cloudevent` function, for an entry point registered as `http` (see `functions/index.ts`).
 *
 * Why not the framework's own `cloudevent` signature: in @google-cloud/functions-framework 5.0.5
 * the body parsers turn a `text/plain` body into a string, and the middleware that converts legacy
 * background events (`isConvertableBackgroundEvent` in
 * `build/src/middleware/background_event_to_cloud_event.js`) then evaluates `'context' in body`,
 * which throws a TypeError on a string. The framework answers 500 before the function runs, so the
 * platform would redeliver the event forever. An `http` function skips that middleware.
 */
import type { Request, Response } from '@google-cloud/functions-framework';

/** The status header the framework sets on a failed invocation. */
const STATUS_HEADER = 'X-Google-Status';

/**
 * The CloudEvent carried by a request, as the framework's `parseCloudEventRequest` builds it.
 * Binary mode (the `ce-id`, `ce-type`, `ce-source` and `ce-specversion` headers): the `ce-*` headers
 * are the attributes, the parsed body is `data` and the `content-type` is `datacontenttype` (as the
 * CloudEvents HTTP binding maps it; the framework leaves it out). Structured mode: the parsed body is
 * the event. The `traceparent` header is copied in both modes.
 * @param req the request, its body already parsed by the framework (object, string or Buffer)
 * @returns the event, of any shape: `parseStorageEvent` decides whether it is usable
 */
export function cloudEventFromRequest(req: Request): unknown {
  let event: unknown = req.body;
  if (
    req.header('ce-type') &&
    req.header('ce-specversion') &&
    req.header('ce-source') &&
    req.header('ce-id')
  ) {
    const attributes: Record<string, unknown> = {};
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('ce-')) attributes[name.slice('ce-'.length)] = req.header(name);
    }
    const contentType = req.header('content-type');
    if (contentType !== undefined && attributes.datacontenttype === undefined) {
      attributes.datacontenttype = contentType;
    }
    attributes.data = req.body;
    event = attributes;
  }
  const traceparent = req.header('traceparent');
  if (traceparent && event !== null && typeof event === 'object' && !Buffer.isBuffer(event)) {
    (event as Record<string, unknown>).traceparent = traceparent;
  }
  return event;
}

/**
 * An HTTP handler that answers like the framework's `cloudevent` wrapper: 204 when `handle`
 * resolves; when it rejects, the error's stack on stderr and 500 with `X-Google-Status: error`
 * (the message as the body outside `NODE_ENV=production`), so the platform redelivers.
 * Only POST carries events (the framework routes nothing else to a `cloudevent` function): 405.
 * @param handle the CloudEvent handler
 */
export function cloudEventHttpHandler(
  handle: (event: unknown) => Promise<unknown>,
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.set('Allow', 'POST').sendStatus(405);
      return;
    }
    try {
      await handle(cloudEventFromRequest(req));
    } catch (err) {
      console.error(err instanceof Error && err.stack ? err.stack : err);
      if (res.headersSent) return;
      res.set(STATUS_HEADER, 'error');
      if (process.env.NODE_ENV === 'production') res.sendStatus(500);
      else res.status(500).send(`${err instanceof Error ? err.message : err}`);
      return;
    }
    if (!res.headersSent) res.sendStatus(204);
  };
}
