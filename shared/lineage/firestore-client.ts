import { Firestore } from '@google-cloud/firestore';

/** Options of {@link createFirestoreClient}. */
export interface FirestoreClientOptions {
  projectId?: string | undefined;
  databaseId?: string | undefined;
  /**
   * `host:port` of a Firestore emulator (`FIRESTORE_EMULATOR_HOST` of the environment the caller
   * was given, or an emulator it started): plain HTTP/2, the emulator's admin credentials.
   * The SDK gives a `FIRESTORE_EMULATOR_HOST` of the process itself precedence over this one.
   */
  emulatorHost?: string | undefined;
}

/**
 * The Firestore client, configured from its options and otherwise the way the SDK reads its
 * environment (`GOOGLE_CLOUD_PROJECT`, application default credentials).
 */
export function createFirestoreClient(options: FirestoreClientOptions): Firestore {
  const emulatorHost = options.emulatorHost?.trim();
  return new Firestore({
    ...(options.projectId ? { projectId: options.projectId } : {}),
    ...(options.databaseId && options.databaseId !== '(default)' ? { databaseId: options.databaseId } : {}),
    ...(emulatorHost ? { host: emulatorHost, ssl: false } : {}),
    ignoreUndefinedProperties: true,
  });
}
