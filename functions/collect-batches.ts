/**
 * The batch lane's collector: `collectBatches`, an HTTP function Cloud Scheduler calls every few
 * minutes with an OIDC token. Thin wiring: build the runtime once, hand each request to
 * `handleCollectorRequest` (one pass: submit what is due, poll, apply), send its status.
 * See docs/batch.md.
 */
import { http, type Request, type Response } from '@google-cloud/functions-framework';
import type { CollectorRuntime } from '../shared/cloud/collect-batches.js';
import { startOnce } from '../shared/cloud/start-once.js';

const getRuntime = startOnce<CollectorRuntime>(() =>
  import('../shared/cloud/create-collector-runtime.js').then((wiring) =>
    wiring.createCollectorRuntime(process.env),
  ),
);

/** Handles one scheduler run; a start-up failure answers 500 so the scheduler's retry tries again. */
export async function collectBatches(req: Request, res: Response): Promise<void> {
  const { handleCollectorRequest } = await import('../shared/cloud/collect-batches.js');
  let built: CollectorRuntime;
  try {
    built = await getRuntime();
  } catch (err) {
    console.error(
      JSON.stringify({ severity: 'ERROR', message: 'collectBatches failed to start', error: String(err) }),
    );
    res.status(500).json({ outcome: 'error', reason: 'the collector failed to start' });
    return;
  }
  const reply = await handleCollectorRequest({ headers: req.headers }, built);
  res.status(reply.status).json(reply.body);
}

http('collectBatches', collectBatches);
