/**
 * Inserting an ICC profile into an encoded PNG file without re-encoding it: an `iCCP` chunk
 * directly after `IHDR` (the spec wants it before `PLTE` and `IDAT`).
 * Spec: https://www.w3.org/TR/png-3/#11iCCP
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The `IEND` chunk every PNG ends with: length 0, type, CRC. */
const IEND = Buffer.from('0000000049454e44ae426082', 'hex');
/** Where the chunk after `IHDR` (13 bytes of data) starts. */
const IHDR_END = SIGNATURE.length + 12 + 13;
/** The profile name libvips writes; readers ignore it. */
const PROFILE_NAME = 'icc';

/**
 * An `iCCP` chunk: name, NUL, compression method 0, the zlib-deflated profile; CRC over type and data.
 * @param profile the ICC profile bytes
 * @returns the whole chunk (length, type, data, CRC)
 */
export function iccpChunk(profile: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(`iCCP${PROFILE_NAME}\0\0`, 'latin1'), deflateSync(profile)]);
  const chunk = Buffer.alloc(8 + body.length);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 4 + body.length);
  return chunk;
}

/**
 * The `iCCP` chunk of a PNG file, byte for byte, to embed the same compressed profile elsewhere.
 * @param data a complete PNG file
 * @returns the whole chunk, or undefined when the file has no profile
 * @throws Error when `data` is not a well-formed PNG up to its first `IDAT` or does not end with `IEND`
 */
export function readIccpChunk(data: Buffer): Buffer | undefined {
  const iccp = _headerChunks(data).find((c) => c.type === 'iCCP');
  return iccp && Buffer.from(data.subarray(iccp.offset, iccp.end));
}

/**
 * The PNG file with an `iCCP` chunk inserted after `IHDR`; the file itself when it already
 * declares its colour space with an `iCCP` or `sRGB` chunk (the spec allows only one of them).
 * @param data a complete PNG file
 * @param chunk a whole `iCCP` chunk, from {@link iccpChunk} or {@link readIccpChunk}
 * @returns a new buffer (or `data` unchanged)
 * @throws Error when `data` is not a well-formed PNG up to its first `IDAT` or does not end with `IEND`
 */
export function embedIccpChunk(data: Buffer, chunk: Buffer): Buffer {
  if (chunk.length < 12 || chunk.toString('latin1', 4, 8) !== 'iCCP') {
    throw new Error('Expected a whole iCCP chunk to embed');
  }
  const types = _headerChunks(data).map((c) => c.type);
  if (types.includes('iCCP') || types.includes('sRGB')) return data;
  return Buffer.concat([data.subarray(0, IHDR_END), chunk, data.subarray(IHDR_END)]);
}

// ---- internal helpers ----

interface Chunk {
  type: string;
  /** Offset of the chunk's length field. */
  offset: number;
  /** Offset just past its CRC. */
  end: number;
}

/** The chunks before the first `IDAT`, checking the signature, `IHDR`, that each chunk fits and `IEND`. */
function _headerChunks(data: Buffer): Chunk[] {
  if (data.length < IHDR_END + IEND.length || !data.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('Expected a PNG file but the signature does not match');
  }
  if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('Expected the PNG to start with a 13-byte IHDR chunk');
  }
  if (!data.subarray(data.length - IEND.length).equals(IEND)) {
    throw new Error('Expected the PNG to end with an IEND chunk (is it truncated?)');
  }
  const chunks: Chunk[] = [];
  let offset = SIGNATURE.length;
  while (offset + 12 <= data.length) {
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') return chunks;
    const end = offset + 12 + data.readUInt32BE(offset);
    if (end > data.length) throw new Error(`Expected a ${type} chunk at ${offset} to fit in the file`);
    chunks.push({ type, offset, end });
    offset = end;
  }
  throw new Error('Expected an IDAT chunk in the PNG but found none');
}
