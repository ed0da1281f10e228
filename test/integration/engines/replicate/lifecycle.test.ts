import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, TransientError } from '../../../../shared/errors.js';
import { type ReplicateServer, startReplicateServer } from '../../../support/replicate-server/index.js';
import { callsOf, engineFor, fakeClock, pixel, request, solid, stage } from './helpers.js';

const PRO = 'black-forest-labs/flux-kontext-pro';
let server: ReplicateServer;

beforeAll(async () => {
  server = await startReplicateServer({ timeScale: 0.01, enforceCancelAfter: false });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

describe('createReplicateEngine', () => {
  describe('edit', () => {
    it('returns the output of a prediction that finished inside Prefer: wait, without polling', async () => {
      const clock = fakeClock();
      const engine = engineFor(server, clock);
      const input = await solid(64, 48, [200, 40, 10]);
      const req = request(clock, stage(PRO), input);

      const result = await engine.edit(req);

      const [create] = callsOf(server, 'create');
      expect(callsOf(server, 'create')).toHaveLength(1);
      expect(create?.path).toBe(`/v1/models/${PRO}/predictions`);
      expect(create?.headers.prefer).toBe('wait=5');
      expect(create?.headers['cancel-after']).toBe('120s');
      expect(callsOf(server, 'poll')).toHaveLength(0);
      expect(await pixel(result.image.data, 30, 30)).toEqual([55, 215, 245]);
      expect(result.image).toMatchObject({ mimeType: 'image/png', width: 64, height: 48 });
      expect(result.model).toBe(`${PRO}@official`);
      expect(result.costUsd).toBe(0.04);
      expect(result.details).toMatchObject({ status: 'succeeded', predictTime: 1.5, resumed: false });
      expect(req.checkpoints).toEqual([
        expect.objectContaining({ predictionId: result.details?.predictionId }),
      ]);
    });

    it('checkpoints the prediction id, then polls urls.get until it succeeds', async () => {
      const clock = fakeClock();
      const engine = engineFor(server, clock);
      server.script({ afterPolls: 3 });
      const pollsAtCheckpoint: number[] = [];
      const req = request(clock, stage(PRO), await solid(32, 32, [0, 0, 255]), {
        checkpoint: async () => {
          pollsAtCheckpoint.push(callsOf(server, 'poll').length);
        },
      });

      const result = await engine.edit(req);

      expect(pollsAtCheckpoint).toEqual([0]);
      expect(callsOf(server, 'poll').map((c) => c.path)).toEqual(
        Array(3).fill(`/v1/predictions/${result.details?.predictionId}`),
      );
      expect(clock.sleeps).toEqual([1000, 1000, 1000]);
      expect(await pixel(result.image.data, 5, 5)).toEqual([255, 255, 0]);
    });

    it('throws a TransientError when the budget runs out, and a resume polls that prediction without creating one', async () => {
      const clock = fakeClock();
      const engine = engineFor(server, clock);
      server.script({ outcome: 'never' });
      const input = await solid(32, 32, [10, 20, 30]);
      const first = request(clock, stage(PRO), input, { deadline: clock.now() + 15_000 });

      const error = await engine.edit(first).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
      const checkpoint = first.checkpoints[0] ?? {};
      const id = String(checkpoint.predictionId);
      expect((error as TransientError).details).toMatchObject({ predictionId: id });
      const prediction = server.predictions.get(id);
      if (!prediction) throw new Error('prediction not recorded by the server');
      prediction.script = { afterPolls: prediction.polls + 1 };
      server.calls.length = 0;

      const resumed = await engine.edit(request(clock, stage(PRO), input, { resumeFrom: checkpoint }));

      expect(callsOf(server, 'create')).toHaveLength(0);
      expect(resumed.details).toMatchObject({ predictionId: id, resumed: true, sent: checkpoint.sent });
      expect(await pixel(resumed.image.data, 1, 1)).toEqual([245, 235, 225]);
    });

    it('replaces a checkpointed prediction that was aborted (unbilled) with a new one', async () => {
      const clock = fakeClock();
      const engine = engineFor(server, clock);
      server.script({ outcome: 'aborted' });
      const input = await solid(16, 16, [0, 0, 0]);
      const first = request(clock, stage(PRO), input);
      await expect(engine.edit(first)).rejects.toMatchObject({ code: 'ENGINE_PREDICTION_ABORTED' });
      const abortedId = first.checkpoints[0]?.predictionId;

      const result = await engine.edit(
        request(clock, stage(PRO), input, { resumeFrom: first.checkpoints[0] }),
      );

      expect(callsOf(server, 'create')).toHaveLength(2);
      expect(result.details?.predictionId).not.toBe(abortedId);
      expect(result.details?.replacedPredictionIds).toEqual([abortedId]);
      expect(result.warnings.join(' ')).toContain(`${abortedId} ended aborted`);
    });

    interface TerminalCase {
      outcome: 'failed' | 'canceled' | 'aborted';
      code: string;
      errorClass: typeof EngineError | typeof TransientError;
    }
    it.each<TerminalCase>([
      { outcome: 'failed', code: 'ENGINE_PREDICTION_FAILED', errorClass: EngineError },
      { outcome: 'canceled', code: 'ENGINE_PREDICTION_CANCELED', errorClass: EngineError },
      { outcome: 'aborted', code: 'ENGINE_PREDICTION_ABORTED', errorClass: TransientError },
    ])(
      'ends a $outcome prediction with $code carrying the model error text',
      async ({ outcome, code, errorClass }) => {
        const clock = fakeClock();
        server.script({ outcome, afterPolls: 1, error: `CUDA out of memory (${outcome})` });

        const error = await engineFor(server, clock)
          .edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3])))
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(errorClass);
        expect(error).toMatchObject({ code, details: { status: outcome } });
        expect((error as Error).message).toContain(`CUDA out of memory (${outcome})`);
      },
    );

    it('fails with ENGINE_OUTPUT_EXPIRED when the output URL is already gone', async () => {
      const clock = fakeClock();
      server.script({ output: 'expired' });

      const error = await engineFor(server, clock)
        .edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3])))
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'ENGINE_OUTPUT_EXPIRED', status: 404 });
      expect(callsOf(server, 'download')).toHaveLength(1);
    });

    it('fails with ENGINE_BAD_OUTPUT when the output does not decode as an image', async () => {
      const clock = fakeClock();
      server.script({ output: 'not-image' });

      const error = await engineFor(server, clock)
        .edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3])))
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'EngineError', code: 'ENGINE_BAD_OUTPUT' });
    });

    it('fails with ENGINE_NO_IMAGE when a prediction succeeds without output', async () => {
      const clock = fakeClock();
      server.script({ output: 'none' });

      await expect(
        engineFor(server, clock).edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3]))),
      ).rejects.toMatchObject({ code: 'ENGINE_NO_IMAGE' });
    });
  });
});
