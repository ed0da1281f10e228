/**
 * Starts the servers the Cloud Function needs locally, for running it by hand with the functions
 * framework (see docs/cloud-function.md): the GCS JSON-API test server, the in-process Firestore
 * emulator and the Gemini test server, all on 127.0.0.1. Prints the variables to export, then keeps
 * running until Ctrl-C. Files given as arguments are uploaded to the `uploads` bucket first.
 *
 *   npx tsx test/integration/function/local-servers.ts [file …]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { startFirestoreEmulator } from '../../../shared/lineage/emulator.js';
import { startGcsServer } from '../../support/gcs-server/index.js';
import { startGeminiServer } from '../../support/gemini-server.js';

const gcs = await startGcsServer();
const firestore = await startFirestoreEmulator();
const gemini = await startGeminiServer();
for (const file of process.argv.slice(2)) {
  const stored = gcs.putObject('uploads', basename(file), readFileSync(file), {
    contentType: file.endsWith('.json') ? 'application/json' : 'image/jpeg',
  });
  console.log(`# uploaded gs://uploads/${stored.name} generation ${stored.generation}`);
}
console.log(
  [
    `export STORAGE_EMULATOR_HOST=${gcs.host}`,
    `export FIRESTORE_EMULATOR_HOST=${firestore.host}`,
    `export GOOGLE_GEMINI_BASE_URL=${gemini.url} GEMINI_API_KEY=test`,
    'export GOOGLE_CLOUD_PROJECT=demo-darkroom METADATA_SERVER_DETECTION=none',
    'export INPUT_BUCKET=uploads RESULTS_BUCKET=results',
  ].join('\n'),
);
// Print what arrives in the results bucket, so a person sees the function work.
const seen = new Set<string>();
setInterval(() => {
  for (const o of gcs.listObjects('results')) {
    const key = `${o.name}#${o.generation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`# results: ${o.name} (${o.contentType}, ${o.data.length} bytes)`);
  }
}, 500);
const stop = async () => {
  await Promise.all([gcs.close(), gemini.close()]);
  firestore.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
