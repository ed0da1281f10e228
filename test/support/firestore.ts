import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';

/**
 * A Firestore client on the emulator, in a project of its own so that tests never
 * see each other's documents.
 */
export function testFirestore(): Firestore {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error(
      'FIRESTORE_EMULATOR_HOST is not set: run the tests through vitest (global setup starts it)',
    );
  }
  return new Firestore({ projectId: `demo-darkroom-${randomUUID().slice(0, 8)}` });
}
