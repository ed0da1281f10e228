/**
 * A webhook receiver on loopback that verifies every delivery with the `standardwebhooks`
 * package (the reference implementation of the specification), as an integration would, and
 * answers with scripted statuses (default 204).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether `Webhook.verify` accepted the signature. */
  verified: boolean;
  status: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  deliveries: ReceivedDelivery[];
  /** Statuses to answer with, in order, before the default 204. */
  script(...statuses: number[]): void;
  close(): Promise<void>;
}

/** A fixed test secret in the `whsec_` format (base64 of 24 bytes). */
export const TEST_WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Starts a receiver that verifies with `secret`. */
export async function startWebhookReceiver(secret = TEST_WEBHOOK_SECRET): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const deliveries: ReceivedDelivery[] = [];
  const scripted: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = true;
      try {
        verifier.verify(body, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const status = verified ? (scripted.shift() ?? 204) : 401;
      deliveries.push({ path: req.url ?? '/', headers: req.headers, body, verified, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    script: (...statuses) => scripted.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
