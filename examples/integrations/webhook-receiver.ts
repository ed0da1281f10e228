/**
 * A Darkroom webhook receiver: verifies every delivery with the `standardwebhooks` package,
 * answers 401 to anything unsigned or tampered with, and handles each job outcome once
 * (Darkroom retries, and sends the same `webhook-id` on every retry).
 *
 *   WEBHOOK_SECRET=whsec_… npx tsx examples/integrations/webhook-receiver.ts   # listens on :8787
 */
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** What Darkroom POSTs: the Standard Webhooks payload shape, with the job summary as data. */
export interface DarkroomWebhook {
  type: 'dev.darkroom.job.v1.succeeded' | 'dev.darkroom.job.v1.failed';
  timestamp: string;
  data: { jobId: string; status: string; reportUri: string; labels: Record<string, string> } & Record<string, unknown>;
}

/**
 * @param secret the `whsec_…` secret Darkroom signs with
 * @param onEvent called once per job outcome
 * @returns an HTTP server (not yet listening)
 */
export function createReceiver(secret: string, onEvent: (event: DarkroomWebhook) => void): Server {
  const webhook = new Webhook(secret);
  // Use a durable store in production (e.g. a database row keyed by webhook-id).
  const seen = new Set<string>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: DarkroomWebhook;
      try {
        // Verify the exact bytes received, before parsing: re-serialized JSON would not match.
        event = webhook.verify(body, req.headers as Record<string, string>) as DarkroomWebhook;
      } catch (err) {
        res.writeHead(err instanceof WebhookVerificationError ? 401 : 400).end();
        return;
      }
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id)) {
        seen.add(id);
        onEvent(event);
      }
      res.writeHead(204).end();
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('set WEBHOOK_SECRET to the whsec_… secret Darkroom signs with');
  const port = Number(process.env.PORT ?? 8787);
  createReceiver(secret, (event) => {
    console.log(`${event.type} job ${event.data.jobId} → ${event.data.reportUri}`, event.data.labels);
  }).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/`));
}
