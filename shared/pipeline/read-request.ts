import { type PermanentError, ValidationError } from '../errors.js';
import type { Request } from '../request/index.js';
import { decodeRequest } from '../request/index.js';
import { type ObjectInfo, type ObjectStore, ObjectTooLargeError } from '../storage/object-store.js';

/** A request object as read: the request, or why the job cannot use it (it fails with that error). */
export type ParsedRequest<E extends PermanentError = PermanentError> =
  | { kind: 'request'; request: Request }
  | { kind: 'invalid'; error: E };

/**
 * Reads and decodes a sidecar or recipe, at most `maxBytes` of it.
 * @returns the request, or `invalid` with the ValidationError that decoding raised
 *   (REQUEST_NOT_JSON, REQUEST_INVALID, REQUEST_TOO_LARGE, …)
 * @throws whatever the store throws for another reason (TransientError, access denied)
 */
export async function readRequest(
  store: ObjectStore,
  info: ObjectInfo,
  maxBytes: number,
): Promise<ParsedRequest<ValidationError>> {
  try {
    const bytes = await store.read(info, { maxBytes });
    return { kind: 'request', request: decodeRequest(bytes, maxBytes) };
  } catch (err) {
    if (err instanceof ValidationError) return { kind: 'invalid', error: err };
    if (err instanceof ObjectTooLargeError) {
      const error = new ValidationError('REQUEST_TOO_LARGE', [
        `the request is larger than ${maxBytes} bytes (MAX_REQUEST_BYTES)`,
      ]);
      return { kind: 'invalid', error };
    }
    throw err;
  }
}
