import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FunctionHarness, sidecar, smallPhoto, startFunctionHarness } from './harness.js';

/**
 * Firestore unreachable when an event arrives: a TCP server that accepts connections and never
 * answers stands in for it (the real Firestore client talks to it as to the emulator). With an
 * 8 s function timeout and a 6 s margin, every Storage and Firestore call is cut off at 5 s and
 * the function answers 500, so the platform redelivers, instead of holding the delivery.
 */
let h: FunctionHarness;
let hole: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  hole = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
  const port = (hole.address() as { port: number }).port;
  h = await startFunctionHarness({
    FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}`,
    FUNCTION_TIMEOUT_SECONDS: '8',
    DEADLINE_MARGIN_SECONDS: '6',
  });
});

afterAll(async () => {
  await h?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hole.close(() => resolve()));
});

describe('processUpload with Firestore unreachable', () => {
  it('answers 500 (redeliver) when the lineage calls outlive the invocation deadline', async () => {
    const image = h.upload('cut/photo.jpg', await smallPhoto());
    h.upload('cut/photo.json', sidecar({ prompt: 'Warm it up' }));
    const reply = await h.send(image);
    expect(reply.status).toBe(500);
    expect(sockets.length).toBeGreaterThan(0);
    const logged = vi
      .mocked(console.error)
      .mock.calls.map(([line]) => String(line))
      .filter((line) => line.includes('DEADLINE_EXCEEDED'));
    expect(logged.join('\n')).toMatch(/Firestore createJob did not answer before the invocation's deadline/);
  });
});
