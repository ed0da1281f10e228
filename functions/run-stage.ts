/**
 * The Cloud Tasks worker: `runStage`, an HTTP function that runs the queued stages of a job
 * (`DISPATCH=tasks`). Thin wiring: start the worker once, hand each request to it
 * (`handleStageTask`), send its status. See docs/dispatch.md.
 */
import { http, type Request, type Response } from '@google-cloud/functions-framework';
import { loadStageWorker, type StageHandler, startOnce } from '../shared/cloud/index.js';

const getWorker = startOnce(() => loadStageWorker(process.env));

/**
 * Handles one dispatch of a stage task (see `handleStageTask` for the status codes).
 * A start-up failure answers 500, so Cloud Tasks retries once the configuration is fixed.
 */
export async function runStage(req: Request, res: Response): Promise<void> {
  let handle: StageHandler;
  try {
    handle = await getWorker();
  } catch (err) {
    console.error(
      JSON.stringify({ severity: 'ERROR', message: 'runStage failed to start', error: String(err) }),
    );
    res.status(500).json({ outcome: 'error', reason: 'the worker failed to start' });
    return;
  }
  const reply = await handle({ headers: req.headers, body: req.body });
  res.status(reply.status).set(reply.headers).json(reply.body);
}

http('runStage', runStage);
