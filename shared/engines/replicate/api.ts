import { EngineError, TransientError } from '../../errors.js';
import { type FileObject, FileObjectSchema, type Prediction, PredictionSchema } from './api-types.js';
import type { Budget, HttpSender } from './http-client.js';
import { checkOutputUrl } from './output-hosts.js';

/**
 * The few Replicate endpoints the engine uses. The token goes only to the API base URL,
 * in the `Authorization` header; output downloads (on the delivery host) carry none.
 */

/** Arguments of a prediction create call. */
export interface CreateArgs {
  /** `owner/name`; used with the models endpoint when no version is pinned. */
  model: string;
  version?: string | undefined;
  input: Record<string, unknown>;
  /** `Prefer: wait=N`, 1–60. */
  waitSeconds: number;
  /** `Cancel-After`, in seconds. */
  cancelAfterSeconds: number;
}

/** Replicate's HTTP API, as the engine needs it. */
export interface ReplicateApi {
  /** Creates a prediction; never retried after a network error (it may have been created and billed). */
  create(args: CreateArgs, budget: Budget): Promise<Prediction>;
  /** Reads a prediction through `urls.get` (when it points at the API) or `/predictions/{id}`. */
  get(prediction: Pick<Prediction, 'id' | 'urls'>, budget: Budget): Promise<Prediction>;
  /** Uploads bytes through the Files API (`POST /files`, multipart field `content`). */
  upload(args: { data: Buffer; mimeType: string; filename: string }, budget: Budget): Promise<FileObject>;
  /** Downloads an output file at once (outputs expire); 404/410 → `ENGINE_OUTPUT_EXPIRED`. */
  download(url: string, budget: Budget): Promise<{ data: Buffer; contentType: string | null }>;
}

/**
 * @param options base URL (no trailing slash), token and HTTP sender
 * @returns the API client
 */
export function createReplicateApi(options: {
  baseUrl: string;
  token: string;
  sender: HttpSender;
  maxOutputBytes: number;
  /** Hosts outputs may be downloaded from (see `outputHostsFrom`). */
  outputHosts: readonly string[];
}): ReplicateApi {
  const { baseUrl, token, sender, maxOutputBytes } = options;
  const auth = { authorization: `Bearer ${token}` };
  const json = async <T>(res: Response, schema: { parse(v: unknown): T }, what: string): Promise<T> => {
    try {
      return schema.parse(await res.json());
    } catch (err) {
      throw new TransientError('ENGINE_UNAVAILABLE', `Replicate: ${what} answered an unreadable body`, {
        cause: err,
      });
    }
  };

  return {
    async create(args, budget) {
      const url = args.version ? `${baseUrl}/predictions` : `${baseUrl}/models/${args.model}/predictions`;
      const body = args.version ? { version: args.version, input: args.input } : { input: args.input };
      const what = `create prediction (${args.model})`;
      const res = await sender.send(
        {
          method: 'POST',
          url,
          what,
          idempotent: false,
          networkCode: 'ENGINE_CREATE_UNCONFIRMED',
          headers: {
            ...auth,
            'content-type': 'application/json',
            prefer: `wait=${args.waitSeconds}`,
            'cancel-after': `${args.cancelAfterSeconds}s`,
          },
          body: JSON.stringify(body),
        },
        budget,
      );
      return json(res, PredictionSchema, what);
    },

    async get(prediction, budget) {
      const given = prediction.urls?.get;
      const url = given?.startsWith(`${baseUrl}/`) ? given : `${baseUrl}/predictions/${prediction.id}`;
      const what = `poll prediction ${prediction.id}`;
      const res = await sender.send({ method: 'GET', url, what, idempotent: true, headers: auth }, budget);
      return json(res, PredictionSchema, what);
    },

    async upload({ data, mimeType, filename }, budget) {
      const form = new FormData();
      form.set('content', new Blob([new Uint8Array(data)], { type: mimeType }), filename);
      form.set('type', mimeType);
      const what = `upload ${filename}`;
      const res = await sender.send(
        { method: 'POST', url: `${baseUrl}/files`, what, idempotent: false, headers: auth, body: form },
        budget,
      );
      return json(res, FileObjectSchema, what);
    },

    async download(url, budget) {
      checkOutputUrl(url, options.outputHosts, baseUrl);
      const what = `download output ${url}`;
      let res: Response;
      try {
        res = await sender.send({ method: 'GET', url, what, idempotent: true }, budget);
      } catch (err) {
        if (err instanceof EngineError && (err.status === 404 || err.status === 410)) {
          throw new EngineError(
            'ENGINE_OUTPUT_EXPIRED',
            `Replicate: output ${url} is gone (${err.status}); outputs are removed an hour after a prediction`,
            { cause: err, status: err.status, details: { url } },
          );
        }
        throw err;
      }
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > maxOutputBytes) {
        throw new EngineError(
          'ENGINE_BAD_OUTPUT',
          `Replicate: output ${url} has ${declared} bytes (max ${maxOutputBytes})`,
        );
      }
      let data: Buffer;
      try {
        data = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        // The body broke off mid-transfer; a redelivery resumes from the checkpoint and downloads again.
        throw new TransientError('ENGINE_UNAVAILABLE', `Replicate: ${what} broke off`, { cause: err });
      }
      if (data.length > maxOutputBytes) {
        throw new EngineError(
          'ENGINE_BAD_OUTPUT',
          `Replicate: output ${url} has ${data.length} bytes (max ${maxOutputBytes})`,
        );
      }
      return { data, contentType: res.headers.get('content-type') };
    },
  };
}
