import { createRequire } from 'node:module';
import { createServer } from 'node:net';

/**
 * Starts the in-process Firestore emulator (`@firestore-emulator/server`) on a free
 * loopback port. Used by the local runner when `FIRESTORE_EMULATOR_HOST` is not set,
 * and by the test suite's global setup.
 * @returns the `host:port` to put in `FIRESTORE_EMULATOR_HOST`, and a stop function
 */
export async function startFirestoreEmulator(port?: number): Promise<{ host: string; stop: () => void }> {
  // The package's ESM build imports paths without extensions; its CommonJS build loads fine.
  const require = createRequire(import.meta.url);
  const { FirestoreServer } =
    require('@firestore-emulator/server') as typeof import('@firestore-emulator/server');
  const server = new FirestoreServer();
  const chosen = port ?? (await freePort());
  await server.start(chosen);
  return { host: `127.0.0.1:${chosen}`, stop: () => server.stop() };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}
