import { Firestore } from '@google-cloud/firestore';

/**
 * The Firestore client, configured from the environment the way the SDK reads it
 * (`FIRESTORE_EMULATOR_HOST`, `GOOGLE_CLOUD_PROJECT`, application default credentials).
 */
export function createFirestoreClient(options: {
  projectId?: string | undefined;
  databaseId?: string | undefined;
}): Firestore {
  return new Firestore({
    ...(options.projectId ? { projectId: options.projectId } : {}),
    ...(options.databaseId && options.databaseId !== '(default)' ? { databaseId: options.databaseId } : {}),
    ignoreUndefinedProperties: true,
  });
}
