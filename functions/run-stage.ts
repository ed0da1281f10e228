/**
 * The Cloud Tasks worker: `runStage`, an HTTP function that runs the queued stages of a job
 * (`DISPATCH=tasks`). Thin wiring: build the runtime once, hand each request to
 * `handleStageTask`, send its status. See docs/dispatch.md.
 */
import { http, type Request, type Response } from '@google-cloud/functions-framework';
import type { StageRuntime } from '../shared/cloud/run-stage-task.js';
import { startOnce } from '../shared/cloud/start-once.js';

const getRuntime = startOnce<StageRuntime>(() =>
  Promise.all([
    import('../shared/cloud/create-cloud-runtime.js'),
    import('../shared/dispatch/settings.js'),
  ]).then(([cloud, dispatch]) => {
    const built = cloud.createCloudRuntime({ env: process.env });
    return {
      deps: built.deps,
      log: built.log,
      notify: built.notify,
      dispatch: dispatch.readDispatchSettings(process.env),
    };
  }),
);

/**
 * Handles one dispatch of a stage task (see `handleStageTask` for the status codes).
 * A start-up failure answers 500, so Cloud Tasks retries once the configuration is fixed.
 */
export async function runStage(req: Request, res: Response): Promise<void> {
  const { handleStageTask } = await import('../shared/cloud/run-stage-task.js');
  let built: StageRuntime;
  try {
    built = await getRuntime();
  } catch (err) {
    console.error(
      JSON.stringify({ severity: 'ERROR', message: 'runStage failed to start', error: String(err) }),
    );
    res.status(500).json({ outcome: 'error', reason: 'the worker failed to start' });
    return;
  }
  const reply = await handleStageTask({ headers: req.headers, body: req.body }, built);
  res.status(reply.status).set(reply.headers).json(reply.body);
}

http('runStage', runStage);
