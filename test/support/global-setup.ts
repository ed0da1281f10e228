import { startFirestoreEmulator } from '../../shared/lineage/emulator.js';

/**
 * Vitest global setup: one in-process Firestore emulator for the whole run.
 * Tests isolate themselves by using a unique project id (see `firestore.ts`).
 */
export default async function setup(): Promise<() => void> {
  // No metadata server here: keep google-auth from probing for one.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  return () => emulator.stop();
}
