/**
 * Child process of the memory measurement: runs one job on the given image, then prints
 * its peak RSS (VmHWM) as JSON. Usage: memory-job.ts <image> <workDir> <firestoreHost> <stages>
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handleObject } from '../../shared/pipeline/index.js';
import { createInstantEngine } from '../lib/instant-engine.js';
import { openWorld } from '../lib/world.js';
import { instantSidecar } from './overhead.js';

async function status(): Promise<Record<string, number>> {
  const text = await readFile('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

const [image, workDir, firestoreHost, stages] = process.argv.slice(2);
if (!image || !workDir || !firestoreHost)
  throw new Error('usage: memory-job.ts <image> <workDir> <firestoreHost> <stages>');
const world = await openWorld({ dir: workDir, firestoreHost, engines: [createInstantEngine()] });
await copyFile(image, join(world.dropDir, 'big.jpg'));
await writeFile(join(world.dropDir, 'big.json'), instantSidecar(Number(stages ?? 3)));
const before = await status();
const outcome = await handleObject(world.env.deps, { bucket: world.bucket, name: 'big.jpg' });
const after = await status();
await world.env.close();
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({
    outcome: outcome.kind,
    beforeRssMiB: before.rssMiB,
    peakMiB: after.hwmMiB,
    maxRssMiB: usage.maxRSS / 1024,
  })}\n`,
);
process.exit(0);
