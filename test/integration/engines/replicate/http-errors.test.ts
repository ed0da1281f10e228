import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReplicateEngine } from '../../../../shared/engines/replicate/index.js';
import { EngineError, PermanentError, TransientError } from '../../../../shared/errors.js';
import {
  ERROR_BODIES,
  type ReplicateServer,
  startReplicateServer,
} from '../../../support/replicate-server/index.js';
import { callsOf, engineFor, fakeClock, request, solid, stage } from './helpers.js';

const PRO = 'black-forest-labs/flux-kontext-pro';
const PRUNA = 'prunaai/p-image-edit';
let server: ReplicateServer;

beforeAll(async () => {
  server = await startReplicateServer({ timeScale: 0.01, enforceCancelAfter: false });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

async function editError(model = PRO, clock = fakeClock(), deadlineMs = 120_000) {
  const req = request(clock, stage(model), await solid(16, 16, [9, 9, 9]), {
    deadline: clock.now() + deadlineMs,
  });
  return engineFor(server, clock)
    .edit(req)
    .catch((e: unknown) => e);
}

describe('createReplicateEngine', () => {
  describe('edit over HTTP', () => {
    it('maps a 422 to a permanent ENGINE_REJECTED naming the invalid field', async () => {
      server.inject({
        route: 'create',
        status: 422,
        body: ERROR_BODIES.invalid([
          { field: 'input.seed', description: 'Must be less than or equal to 2147483647' },
        ]),
      });

      const error = await editError();

      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'ENGINE_REJECTED', status: 422 });
      expect((error as Error).message).toContain('input.seed: Must be less than or equal to 2147483647');
    });

    it('is rejected by the server for an unknown pinned version, naming the version field', async () => {
      const clock = fakeClock();
      const req = request(clock, stage(`${PRUNA}:${'0'.repeat(64)}`), await solid(16, 16, [9, 9, 9]));

      const error = await engineFor(server, clock)
        .edit(req)
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'ENGINE_REJECTED', status: 422 });
      expect((error as Error).message).toContain('version: Invalid version');
      expect(callsOf(server, 'create')[0]?.body).toMatchObject({ version: '0'.repeat(64) });
    });

    it('waits for the "resets in ~Ns" hint of a 429, then creates the prediction', async () => {
      const clock = fakeClock();
      server.inject({ route: 'create', status: 429, body: ERROR_BODIES.throttled(30) });

      const result = await engineFor(server, clock).edit(
        request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])),
      );

      expect(clock.sleeps).toEqual([30_000]);
      expect(callsOf(server, 'create')).toHaveLength(2);
      expect(server.predictions.get(String(result.details?.predictionId))).toBeDefined();
    });

    it('prefers Retry-After over the hint on 429 while polling', async () => {
      const clock = fakeClock();
      server.script({ afterPolls: 1 });
      server.inject({
        route: 'poll',
        status: 429,
        body: ERROR_BODIES.throttled(30),
        headers: { 'retry-after': '7' },
      });

      await engineFor(server, clock).edit(request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])));

      expect(clock.sleeps).toEqual([1000, 7000]);
      expect(callsOf(server, 'poll')).toHaveLength(2);
    });

    it('throws a TransientError with retryAfterMs when the 429 wait would pass the deadline', async () => {
      server.inject({ route: 'create', status: 429, body: ERROR_BODIES.throttled(30) });

      const error = await editError(PRO, fakeClock(), 20_000);

      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'ENGINE_UNAVAILABLE', status: 429, retryAfterMs: 30_000 });
      expect(callsOf(server, 'create')).toHaveLength(1);
    });

    it('retries 5xx while polling', async () => {
      const clock = fakeClock();
      server.script({ afterPolls: 1 });
      server.inject({ route: 'poll', status: 503, body: ERROR_BODIES.serverError, times: 2 });

      const result = await engineFor(server, clock).edit(
        request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])),
      );

      expect(callsOf(server, 'poll')).toHaveLength(3);
      expect(result.details?.status).toBe('succeeded');
    });

    it('does not retry a 5xx on create (it may have created a prediction)', async () => {
      server.inject({ route: 'create', status: 500, body: ERROR_BODIES.serverError });

      const error = await editError();

      expect(error).toMatchObject({ name: 'TransientError', code: 'ENGINE_UNAVAILABLE', status: 500 });
      expect(callsOf(server, 'create')).toHaveLength(1);
    });

    it('never re-sends a create whose connection dropped, and says a billed prediction may exist', async () => {
      const before = server.predictions.size;
      server.inject({ route: 'create', network: true });

      const error = await editError();

      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'ENGINE_CREATE_UNCONFIRMED' });
      expect(callsOf(server, 'create')).toHaveLength(1);
      expect(server.predictions.size).toBe(before + 1);
    });

    it('retries a dropped poll connection', async () => {
      const clock = fakeClock();
      server.script({ afterPolls: 1 });
      server.inject({ route: 'poll', network: true });

      const result = await engineFor(server, clock).edit(
        request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])),
      );

      expect(callsOf(server, 'poll')).toHaveLength(2);
      expect(result.details?.status).toBe('succeeded');
    });

    it('maps a 401 to ENGINE_PERMISSION_DENIED', async () => {
      const clock = fakeClock();
      const engine = engineFor(server, clock, { env: { REPLICATE_API_TOKEN: 'r8_wrong' } });

      const error = await engine
        .edit(request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])))
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'ENGINE_PERMISSION_DENIED', status: 401 });
      expect((error as Error).message).toContain('valid authentication token');
      expect((error as Error).message).not.toContain('r8_wrong');
    });

    it('fails at plan time, naming REPLICATE_API_TOKEN, when the token is missing', () => {
      const engine = createReplicateEngine({ env: {}, baseUrl: server.url });

      const error = (() => {
        try {
          engine.plan(stage(PRO));
        } catch (e) {
          return e;
        }
      })();

      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ code: 'ENGINE_NOT_CONFIGURED' });
      expect((error as Error).message).toContain('REPLICATE_API_TOKEN');
    });

    it('sends the token only in the Authorization header of API calls', async () => {
      const clock = fakeClock();
      await engineFor(server, clock).edit(request(clock, stage(PRO), await solid(8, 8, [1, 1, 1])));

      for (const call of server.calls) {
        expect(JSON.stringify(call.body ?? null)).not.toContain(server.token);
        const expected = call.route === 'download' ? undefined : `Bearer ${server.token}`;
        expect(call.headers.authorization).toBe(expected);
      }
      expect(callsOf(server, 'download')).toHaveLength(1);
    });
  });
});
