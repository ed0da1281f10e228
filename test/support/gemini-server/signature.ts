/**
 * Thought signatures as the Gemini 3 image models send them: opaque base64 strings of about a
 * megabyte per part in recorded replies, on the first non-thought part (often text) and on every
 * non-thought image. These are smaller (256 KiB decoded, about 341 KiB of base64) so a loaded test
 * machine does not spend its time copying them, but large enough that a reader which copies or
 * logs whole parts shows it.
 */

/** Decoded bytes of one signature. */
export const SIGNATURE_BYTES = 256 * 1024;

const cache = new Map<string, string>();

/**
 * A deterministic signature for part `part` of reply `n`.
 * @returns base64 text, different for every (n, part)
 */
export function thoughtSignature(n: number, part: number): string {
  const key = `${n}:${part}`;
  let sig = cache.get(key);
  if (!sig) {
    const bytes = Buffer.alloc(SIGNATURE_BYTES);
    let a = (n * 7919 + part * 104729) >>> 0;
    for (let i = 0; i < bytes.length; i += 4) {
      a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
      bytes.writeUInt32LE(a, i);
    }
    sig = bytes.toString('base64');
    if (cache.size > 64) cache.clear();
    cache.set(key, sig);
  }
  return sig;
}
