import { startFirestoreEmulator } from '../../shared/lineage/emulator.js';

/**
 * Vitest global setup: the Firestore the whole run uses. With `FIRESTORE_EMULATOR_HOST`
 * already set (CI starts Google's emulator from the Cloud SDK, see `.ci/run`), the suites
 * run against that one; otherwise one in-process emulator is started for the run.
 * Tests isolate themselves by using a unique project id (see `firestore.ts`).
 * The line printed here says which Firestore ran.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  // No metadata server here: keep google-auth from probing for one.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const given = process.env.FIRESTORE_EMULATOR_HOST;
  if (given) {
    process.env.DARKROOM_TEST_FIRESTORE ??= 'external';
    console.log(`Firestore for this run: the emulator at ${given} (FIRESTORE_EMULATOR_HOST)`);
    return undefined;
  }
  const emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.env.DARKROOM_TEST_FIRESTORE = 'in-process';
  console.log(
    `Firestore for this run: the in-process emulator (@firestore-emulator/server) at ${emulator.host}`,
  );
  return () => emulator.stop();
}
