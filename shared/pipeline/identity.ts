import { createHash } from 'node:crypto';
import type { InputRef } from '../lineage/records.js';

/**
 * The id of the job that runs `request` on `image`, derived from their exact
 * (bucket, name, generation): the same upload always maps to the same job, and a new
 * sidecar (a new generation) for the same image is a new job.
 * @returns 24 hex characters (96 bits)
 */
export function jobIdFor(inputs: { image?: InputRef | undefined; request?: InputRef | undefined }): string {
  const key = (ref?: InputRef) => (ref ? `${ref.bucket}\u0000${ref.name}\u0000${ref.generation}` : '-');
  return createHash('sha256')
    .update(`darkroom/job/v1\n${key(inputs.image)}\n${key(inputs.request)}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * The seed a stage runs with when the request gives none: drawn from the job and the
 * stage, so every attempt of the same job draws the same seed.
 */
export function drawSeed(jobId: string, stageIndex: number): number {
  const digest = createHash('sha256').update(`darkroom/seed/v1\n${jobId}\n${stageIndex}`).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}
