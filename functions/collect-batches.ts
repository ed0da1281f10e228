/**
 * The batch lane's collector: `collectBatches`, an HTTP function Cloud Scheduler calls every few
 * minutes with an OIDC token. Thin wiring: start the collector once, hand each request to it (one
 * pass: submit what is due, poll, apply), send its status. See docs/batch.md.
 */
import { http, type Request, type Response } from '@google-cloud/functions-framework';
import { type CollectorHandler, loadCollector, startOnce } from '../shared/cloud/index.js';

const getCollector = startOnce(() => loadCollector(process.env));

/** Handles one scheduler run; a start-up failure answers 500 so the scheduler's retry tries again. */
export async function collectBatches(req: Request, res: Response): Promise<void> {
  let handle: CollectorHandler;
  try {
    handle = await getCollector();
  } catch (err) {
    console.error(
      JSON.stringify({ severity: 'ERROR', message: 'collectBatches failed to start', error: String(err) }),
    );
    res.status(500).json({ outcome: 'error', reason: 'the collector failed to start' });
    return;
  }
  const reply = await handle({ headers: req.headers });
  res.status(reply.status).json(reply.body);
}

http('collectBatches', collectBatches);
