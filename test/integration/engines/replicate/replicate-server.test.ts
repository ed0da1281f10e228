import { afterEach, describe, expect, it } from 'vitest';
import { type ReplicateServer, startReplicateServer } from '../../../support/replicate-server/index.js';
import { solid } from './helpers.js';

const PRO = 'black-forest-labs/flux-kontext-pro';
let server: ReplicateServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function create(s: ReplicateServer, headers: Record<string, string>, input: Record<string, unknown>) {
  const res = await fetch(`${s.url}/models/${PRO}/predictions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ input }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function poll(s: ReplicateServer, id: unknown) {
  const res = await fetch(`${s.url}/predictions/${id}`, { headers: { authorization: `Bearer ${s.token}` } });
  return (await res.json()) as Record<string, unknown>;
}

/** Polls until the prediction is terminal (bounded: the server's deadlines are scaled down to ms). */
async function settled(s: ReplicateServer, id: unknown) {
  for (let i = 0; i < 500; i++) {
    const p = await poll(s, id);
    if (!['starting', 'processing'].includes(String(p.status))) return p;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`prediction ${id} did not settle within 5 s`);
}

const image = async () => `data:image/png;base64,${(await solid(8, 8, [0, 0, 0])).data.toString('base64')}`;

describe('startReplicateServer', () => {
  it('answers 202 with the current state when a prediction outlives Prefer: wait', async () => {
    server = await startReplicateServer({ timeScale: 0.01 });
    server.script({ outcome: 'never' });

    const { status, body } = await create(
      server,
      { prefer: 'wait=2' },
      { prompt: 'x', input_image: await image() },
    );

    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'starting', output: null, version: 'hidden' });
    expect(body.urls).toMatchObject({ get: `${server.url}/predictions/${body.id}` });
  });

  it('aborts a prediction that has not started by its Cancel-After deadline, and cancels a running one', async () => {
    server = await startReplicateServer({ timeScale: 0.01 });
    server.script({ outcome: 'never' }, { outcome: 'never', startAfterPolls: Number.POSITIVE_INFINITY });
    const input = { prompt: 'x', input_image: await image() };
    const running = await create(server, { 'cancel-after': '1m' }, input);
    expect(await poll(server, running.body.id)).toMatchObject({ status: 'processing' });
    const notStarted = await create(server, { 'cancel-after': '1s' }, input);

    expect(await settled(server, notStarted.body.id)).toMatchObject({ status: 'aborted', started_at: null });
    expect(await settled(server, running.body.id)).toMatchObject({ status: 'canceled' });
  });

  it('rejects unknown inputs and a malformed Prefer header with 422 and invalid_fields', async () => {
    server = await startReplicateServer();

    const unknown = await create(server, {}, { prompt: 'x', input_image: await image(), guidance: 3 });
    const prefer = await create(server, { prefer: 'wait=61' }, { prompt: 'x', input_image: await image() });

    expect(unknown.status).toBe(422);
    expect(unknown.body.invalid_fields).toEqual([expect.objectContaining({ field: 'input.guidance' })]);
    expect(prefer.status).toBe(422);
  });

  it('serves outputs until they expire, then 404 and output null', async () => {
    server = await startReplicateServer();
    const { body } = await create(server, { prefer: 'wait' }, { prompt: 'x', input_image: await image() });
    const url = String(body.output);
    expect((await fetch(url)).status).toBe(200);

    server.expireOutputs();

    expect((await fetch(url)).status).toBe(404);
    expect(await poll(server, body.id)).toMatchObject({ output: null, data_removed: true });
  });

  it('refuses a missing token with 401', async () => {
    server = await startReplicateServer();

    const res = await fetch(`${server.url}/predictions/abc`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ title: 'Unauthenticated' });
  });
});
