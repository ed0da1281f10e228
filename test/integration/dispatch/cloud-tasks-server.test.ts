import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTasksClient } from '@google-cloud/tasks';
import { googleAuthLibrary } from 'google-gax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudTasksServer,
  scaledClock,
  startCloudTasksServer,
} from '../../support/cloud-tasks-server/index.js';

const QUEUE = 'projects/demo/locations/us-central1/queues/q';

/** An HTTP target answering the scripted statuses in order (then 200), recording each request. */
async function startTarget() {
  const seen: IncomingHttpHeaders[] = [];
  const script: number[] = [];
  let hang = 0;
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    if (hang > 0) {
      hang -= 1;
      return; // never answers: the dispatch deadline ends the attempt
    }
    res.writeHead(script.shift() ?? 200, { 'retry-after': '40' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    script,
    hangNext: () => {
      hang += 1;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the Cloud Tasks test server, through the real @google-cloud/tasks client (REST)', () => {
  let tasks: CloudTasksServer;
  let client: CloudTasksClient;
  let target: Awaited<ReturnType<typeof startTarget>>;
  beforeAll(async () => {
    tasks = await startCloudTasksServer({ clock: scaledClock(100), dedupWindowMs: 3600_000 });
    tasks.createQueue(QUEUE, {
      maxDispatchesPerSecond: 10,
      minBackoffS: 10,
      maxBackoffS: 300,
      maxAttempts: -1,
    });
    target = await startTarget();
    const [host, port] = tasks.host.split(':');
    client = new CloudTasksClient({
      fallback: 'rest',
      apiEndpoint: host,
      port: Number(port),
      protocol: 'http',
      authClient: new googleAuthLibrary.PassThroughClient(),
    } as ConstructorParameters<typeof CloudTasksClient>[0]);
  });
  afterAll(async () => {
    await client.close();
    await tasks.close();
    await target.close();
  });

  const create = (id: string, extra: Record<string, unknown> = {}) =>
    client.createTask({
      parent: QUEUE,
      task: {
        name: `${QUEUE}/tasks/${id}`,
        httpRequest: { httpMethod: 'POST', url: target.url, body: Buffer.from('{}').toString('base64') },
        ...extra,
      },
    });

  it('creates, gets, lists and deletes tasks; a used name stays blocked (ALREADY_EXISTS, HTTP 409)', async () => {
    const [created] = await create('held', {
      scheduleTime: { seconds: Math.floor(tasks.clock.now() / 1000) + 3600 },
    });
    expect(created.name).toBe(`${QUEUE}/tasks/held`);
    const [got] = await client.getTask({ name: `${QUEUE}/tasks/held` });
    expect(got.dispatchCount).toBe(0);
    const [listed] = await client.listTasks({ parent: QUEUE });
    expect(listed.map((t) => t.name)).toContain(`${QUEUE}/tasks/held`);
    await client.deleteTask({ name: `${QUEUE}/tasks/held` });
    await expect(client.getTask({ name: `${QUEUE}/tasks/held` })).rejects.toMatchObject({ code: 404 });
    await expect(create('held')).rejects.toMatchObject({ code: 409 });
  });

  it('refuses what the service refuses: an unknown queue, a bad name, a deadline outside 15 s–30 min', async () => {
    await expect(
      client.createTask({ parent: `${QUEUE}-missing`, task: { httpRequest: { url: target.url } } }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(create('has space')).rejects.toMatchObject({ code: 400 });
    await expect(create('short', { dispatchDeadline: { seconds: 5 } })).rejects.toMatchObject({ code: 400 });
  });

  it('retries a failed dispatch no sooner than Retry-After, with the X-CloudTasks-* headers', async () => {
    target.seen.length = 0;
    target.script.push(429);
    await create('retried');
    await tasks.drained();
    expect(target.seen).toHaveLength(2);
    const [first, second] = target.seen as [IncomingHttpHeaders, IncomingHttpHeaders];
    expect(first).toMatchObject({
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'q',
      'x-cloudtasks-taskname': 'retried',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
    });
    expect(second).toMatchObject({
      'x-cloudtasks-taskretrycount': '1',
      'x-cloudtasks-taskexecutioncount': '1',
      'x-cloudtasks-taskpreviousresponse': '429',
    });
    const [a, b] = tasks.dispatches.filter((d) => d.task.endsWith('/retried'));
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(40_000);
  });

  it('ends an attempt at its dispatch deadline and retries it', async () => {
    target.hangNext();
    await create('slow', { dispatchDeadline: { seconds: 15 } });
    await tasks.drained();
    const results = tasks.dispatches.filter((d) => d.task.endsWith('/slow')).map((d) => d.result);
    expect(results).toEqual(['deadline', 200]);
  });
});
