import { createHash } from 'node:crypto';

/**
 * The asset id of some bytes: their SHA-256, hex-encoded.
 * @example hashBytes(Buffer.from('abc')) // 'ba7816bf…'
 */
export function hashBytes(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
