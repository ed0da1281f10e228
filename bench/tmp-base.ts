import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirestoreProcess } from '../bench/lib/firestore-process.js';
import { makePhotoSet } from '../bench/lib/images.js';
import { overFiles, plainSharp } from '../bench/lib/plain-sharp.js';
import { timed } from '../bench/lib/stats.js';
import { openWorld } from '../bench/lib/world.js';
import { configureSharp } from '../shared/imaging/sharp-setup.js';
import { runFolder, summarize } from '../shared/runner/run-folder.js';

configureSharp();
const kind = process.argv[2] ?? 'warm';
const recipe =
  kind === 'warm'
    ? {
        prompt: 'Make it warmer',
        output: { formats: ['webp'], compareSheet: false, keepIntermediates: false },
      }
    : { output: { formats: ['webp'], compareSheet: false, keepIntermediates: false } };
const dir = await mkdtemp(join(tmpdir(), 'fastbase-'));
const fs = await startFirestoreProcess();
const world = await openWorld({ dir, firestoreHost: fs.host, engines: [] });
for (const r of [0]) {
  const files = await makePhotoSet(join(world.dropDir, `f${r}`), 48, { width: 1264, height: 948 });
  await writeFile(join(world.dropDir, `f${r}`, '_recipe.json'), JSON.stringify(recipe));
  const s = await timed(() =>
    overFiles(files, 2, async (f) => plainSharp(await readFile(f), { warm: kind === 'warm', quality: 85 })),
  );
  const p = await timed(async () =>
    summarize(await runFolder(world.env.deps, { bucket: world.bucket, prefix: `f${r}/`, concurrency: 2 })),
  );
  console.log(
    r,
    JSON.stringify(p.value),
    'pipeline',
    Math.round(p.wallMs),
    'script',
    Math.round(s.wallMs),
    'ratio',
    (s.wallMs / p.wallMs).toFixed(3),
  );
}
await world.env.close();
await fs.stop();
