import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import sharp from 'sharp';

/** The machine a run happened on: cores, memory, CPU model, Node, sharp and libvips versions. */
export async function machineInfo(): Promise<Record<string, string | number>> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return {
    nproc: availableParallelism(),
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    cpu: model,
    node: process.version,
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    platform: `${process.platform}-${process.arch}`,
  };
}
