/**
 * Whether a file in a watched folder looks completely written. A copy in slow chunks can hold
 * the same size and modification time across two polls; the bytes say whether the writer got to
 * the end (a JPEG's end-of-image marker, a PNG's IEND chunk, the RIFF size of a WebP, a JSON
 * document that parses).
 */

/**
 * @param name the object name (its extension decides how a sidecar is checked)
 * @param bytes the object's bytes as they are now
 * @returns false when the file is empty or visibly cut short; true otherwise, including for
 *   formats whose end cannot be told cheaply (TIFF, AVIF, HEIC), which rely on stability alone
 */
export function looksComplete(name: string, bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  if (name.toLowerCase().endsWith('.json')) return _parses(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return _hasJpegEnd(bytes);
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return (
      bytes.length >= 12 && bytes.subarray(bytes.length - 8, bytes.length - 4).toString('latin1') === 'IEND'
    );
  }
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return bytes.length >= 12 && bytes.readUInt32LE(4) + 8 <= bytes.length;
  }
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return bytes[bytes.length - 1] === 0x3b;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Some writers pad after the end-of-image marker, so it is looked for near the end, not at it.
function _hasJpegEnd(bytes: Buffer): boolean {
  const tail = bytes.subarray(Math.max(2, bytes.length - 64));
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  }
  return false;
}

function _parses(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
