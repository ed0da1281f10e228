import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors.js';
import { type ReplicateServer, startReplicateServer } from '../../../support/replicate-server/index.js';
import { callsOf, engineFor, fakeClock, request, solid, stage } from './helpers.js';

const PRO = 'black-forest-labs/flux-kontext-pro';
let server: ReplicateServer;

beforeAll(async () => {
  server = await startReplicateServer({ timeScale: 0.01, enforceCancelAfter: false });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

/** A prediction's output is data from a remote model: where it is fetched from, and what it is, are checked. */
describe('Replicate outputs are not trusted', () => {
  it('downloads nothing from a host off the output allow-list (here the metadata server)', async () => {
    const clock = fakeClock();
    server.script({ outputBase: 'http://169.254.169.254/computeMetadata/v1' });
    const error = await engineFor(server, clock)
      .edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3])))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'ENGINE_BAD_OUTPUT' });
    expect((error as Error).message).toBe(
      `Replicate: the output URL http://169.254.169.254/… is not on an allowed output host (REPLICATE_OUTPUT_HOSTS: replicate.delivery, *.replicate.delivery, ${new URL(server.url).host}); it was not downloaded`,
    );
    expect(callsOf(server, 'download')).toHaveLength(0);
  });

  it('refuses an SVG output from its first bytes, without rendering it', async () => {
    const clock = fakeClock();
    server.script({ output: 'svg' });
    const error = await engineFor(server, clock)
      .edit(request(clock, stage(PRO), await solid(16, 16, [1, 2, 3])))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENGINE_BAD_OUTPUT' });
    expect((error as Error).message).toMatch(
      /\(black-forest-labs\/flux-kontext-pro\) returned 120 bytes that are not a raster image \(svg\)\.$/,
    );
  });
});
