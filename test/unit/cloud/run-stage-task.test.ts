import { describe, expect, it } from 'vitest';
import { handleStageTask, type StageRuntime } from '../../../shared/cloud/run-stage-task.js';
import { loadConfig } from '../../../shared/config.js';
import { createLogger } from '../../../shared/log.js';
import type { PipelineDeps } from '../../../shared/pipeline/index.js';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';

const URL = 'https://darkroom-run-stage-123.us-central1.run.app';
const INVOKER = 'darkroom-tasks@p.iam.gserviceaccount.com';
const NOW = 1_800_000_000_000;

/** A worker runtime whose pipeline is never reached: the requests here stop at the gate. */
function runtime(lines: string[]): StageRuntime {
  const log = createLogger({ format: 'json', write: (line) => lines.push(line) });
  const deps = { config: loadConfig({}), log, now: () => NOW } as unknown as PipelineDeps;
  return {
    deps,
    log,
    dispatch: { RUN_STAGE_URL: URL, TASK_INVOKER_ACCOUNT: INVOKER, TASK_DISPATCH_DEADLINE_SECONDS: 900 },
  };
}

const headers = (authorization?: string) => ({
  'x-cloudtasks-taskname': 'abc-s1-a1',
  'x-cloudtasks-queuename': 'nano-banana-2',
  'x-cloudtasks-taskretrycount': '3',
  'x-cloudtasks-taskexecutioncount': '2',
  ...(authorization ? { authorization } : {}),
});

describe('handleStageTask', () => {
  it('answers 403 to a request without the invoker token, logging the X-CloudTasks counts', async () => {
    const lines: string[] = [];
    const reply = await handleStageTask(
      { headers: headers(), body: { jobId: 'j', stage: 1, attempt: 1 } },
      runtime(lines),
    );
    expect(reply.status).toBe(403);
    const line = JSON.parse(lines.at(-1) ?? '{}');
    expect(line).toMatchObject({
      task: 'abc-s1-a1',
      queue: 'nano-banana-2',
      retryCount: 3,
      executionCount: 2,
    });
  });

  it('answers 400, naming the field, to a body that is not a stage task', async () => {
    const token = `Bearer ${oidcToken({ email: INVOKER, audience: URL, nowMs: NOW })}`;
    const reply = await handleStageTask(
      { headers: headers(token), body: { jobId: 'j', stage: 0 } },
      runtime([]),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.reason).toMatch(/stage/);
    expect(reply.body.reason).toMatch(/attempt/);
  });
});
