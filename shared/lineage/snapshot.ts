import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Firestore, Timestamp } from '@google-cloud/firestore';

/** Collections (and the subcollections of each document) a snapshot covers. */
const TREE: Record<string, string[]> = {
  jobs: ['stages', 'attempts'],
  assets: [],
  stageCache: [],
  // The batch lane's records: `darkroom batch submit|status` run in later processes than `run`.
  batchStages: [],
  batches: [],
  batchMemberships: [],
};

interface SnapshotDoc {
  path: string;
  data: unknown;
}

/**
 * Saves the lineage documents to a JSON file, so that lineage recorded through the
 * in-process emulator (which keeps everything in memory) survives a restart of the
 * local runner. Written atomically (temporary file, then rename).
 * @returns how many documents were saved
 */
export async function saveSnapshot(firestore: Firestore, file: string): Promise<number> {
  const docs: SnapshotDoc[] = [];
  for (const [collection, subcollections] of Object.entries(TREE)) {
    const snap = await firestore.collection(collection).get();
    for (const doc of snap.docs) {
      docs.push({ path: doc.ref.path, data: encode(doc.data()) });
      for (const sub of subcollections) {
        const subSnap = await doc.ref.collection(sub).get();
        for (const subDoc of subSnap.docs) docs.push({ path: subDoc.ref.path, data: encode(subDoc.data()) });
      }
    }
  }
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify({ version: 1, docs })}\n`);
  await rename(temp, file);
  return docs.length;
}

/**
 * Loads a snapshot written by {@link saveSnapshot} into a (fresh) database.
 * @returns how many documents were restored (0 when the file does not exist)
 */
export async function loadSnapshot(firestore: Firestore, file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 0;
  }
  const { docs } = JSON.parse(text) as { docs: SnapshotDoc[] };
  for (let i = 0; i < docs.length; i += 400) {
    const batch = firestore.batch();
    for (const doc of docs.slice(i, i + 400)) {
      batch.set(firestore.doc(doc.path), decode(doc.data) as FirebaseFirestore.DocumentData);
    }
    await batch.commit();
  }
  return docs.length;
}

function encode(value: unknown): unknown {
  if (value instanceof Timestamp) return { __timestamp: value.toDate().toISOString() };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    const ts = (value as { __timestamp?: unknown }).__timestamp;
    if (typeof ts === 'string' && Object.keys(value).length === 1) return new Date(ts);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}
