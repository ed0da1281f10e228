import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionServer,
  startFunctionServer,
  storageObjectEventFactory,
} from '../../support/cloud-events.js';
import { oidcToken } from '../../support/cloud-tasks-server/oidc.js';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../../support/webhook-receiver.js';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

/** The scheduler's account (`SCHEDULER_INVOKER_ACCOUNT`). */
const SCHEDULER = 'darkroom-scheduler@demo-darkroom.iam.gserviceaccount.com';
const PROMPT =
  'Place the cat on a sunlit wooden windowsill with soft morning light from the left. Keep the fur, the eyes and the pose of the cat exactly as they are. Style: warm editorial photography with true colours and gentle shadows, no added text.';

let h: FunctionHarness;
let collector: FunctionServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  h = await startFunctionHarness({
    DARKROOM_ENGINE: 'gemini',
    BATCH_MIN_REQUESTS: '1',
    SCHEDULER_INVOKER_ACCOUNT: SCHEDULER,
    WEBHOOK_URL: `${receiver.url}/all-jobs`,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    // The receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  collector = await startFunctionServer('collectBatches');
  // Read when the collector's runtime is built, at its first request: after it has its port.
  process.env.COLLECT_BATCHES_URL = collector.url;
});

afterAll(async () => {
  await collector?.close();
  await h?.close();
  await receiver?.close();
  delete process.env.COLLECT_BATCHES_URL;
});

/** A Cloud Scheduler run: POST with the job's OIDC token (or the given Authorization). */
async function run(authorization?: string) {
  const res = await fetch(collector.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization:
        authorization ??
        `Bearer ${oidcToken({ email: SCHEDULER, audience: collector.url, nowMs: Date.now() })}`,
    },
    body: '{}',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('collectBatches: the Cloud Scheduler HTTP function', () => {
  it('refuses a request without the scheduler account’s OIDC token for this function', async () => {
    expect(await run('')).toMatchObject({ status: 403, body: { outcome: 'forbidden' } });
    const other = oidcToken({ email: SCHEDULER, audience: 'https://elsewhere.run.app/', nowMs: Date.now() });
    const wrong = await run(`Bearer ${other}`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.reason).toContain('COLLECT_BATCHES_URL');
    const stranger = oidcToken({
      email: 'x@demo.iam.gserviceaccount.com',
      audience: collector.url,
      nowMs: Date.now(),
    });
    expect((await run(`Bearer ${stranger}`)).body.reason).toContain('SCHEDULER_INVOKER_ACCOUNT');
    expect(h.gemini.batches.creates).toBe(0);
  });

  it('submits what is due, then a later run polls, applies the answers, finishes the job and announces it once', async () => {
    const photo = await smallPhoto();
    h.upload('lane/cat.jpg', photo);
    const request = h.upload('lane/cat.json', sidecar({ lane: 'batch', engine: 'gemini', prompt: PROMPT }));
    const event = storageObjectEventFactory({
      bucket: request.bucket,
      name: request.name,
      generation: request.generation,
      contentType: 'application/json',
    });
    expect((await h.post(event)).status).toBe(204);
    const [job] = h.jobsOf('lane/cat');
    expect(job).toBeDefined();
    expect((await h.job(job?.jobId as string))?.status).toBe('waiting-batch');

    h.gemini.batches.timing.pendingMs = 3_600_000;
    const first = await run();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      outcome: 'done',
      unknown: 0,
      polled: [{ state: 'pending', requests: 1 }],
    });
    expect(first.body.submitted).toHaveLength(1);
    expect(h.gemini.batches.creates).toBe(1);

    h.gemini.batches.timing.pendingMs = 0;
    h.gemini.batches.timing.runningMs = 0;
    const second = await run();
    expect(second.body).toMatchObject({
      outcome: 'done',
      submitted: [],
      polled: [{ state: 'succeeded' }],
      resumed: 1,
    });
    expect(await h.job(job?.jobId as string)).toMatchObject({ status: 'succeeded', lane: 'batch' });
    expect(h.gemini.batches.creates).toBe(1);
    expect(h.gemini.calls.filter((c) => c.path.endsWith(':generateContent'))).toHaveLength(0);
    // Parking announced nothing; the collector that ran the job to its end announced it, once.
    expect(receiver.deliveries.map((d) => [d.path, d.verified])).toEqual([['/all-jobs', true]]);
    expect(JSON.parse(receiver.deliveries[0]?.body ?? '')).toMatchObject({
      type: 'dev.darkroom.job.v1.succeeded',
      data: { jobId: job?.jobId, status: 'succeeded' },
    });
    expect(second.body.unannounced).toBeUndefined();
    // A later run finds nothing to do and announces nothing again.
    expect((await run()).body).toMatchObject({ outcome: 'done', resumed: 0 });
    expect(receiver.deliveries).toHaveLength(1);
  });
});
