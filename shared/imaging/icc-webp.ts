/**
 * Inserting an ICC profile into an encoded WebP file without re-encoding it: the extended
 * format's `ICCP` chunk directly after `VP8X`, with the ICC flag set in `VP8X`.
 * Spec: https://developers.google.com/speed/webp/docs/riff_container
 */

/** `VP8X` flag bits (byte 0 of its payload). */
const ICC_FLAG = 0x20;
const ALPHA_FLAG = 0x10;
/** `VP8X` payload: flags, 3 reserved bytes, canvas width − 1 and height − 1 (24 bits each). */
const VP8X_SIZE = 10;

/**
 * The WebP file with `profile` embedded; the file itself when it already has a profile.
 * A simple file (a lone `VP8 ` or `VP8L` chunk) becomes an extended one with a `VP8X` chunk
 * whose canvas is the bitstream's size.
 * @param data a complete WebP file
 * @param profile the ICC profile bytes
 * @returns a new buffer (or `data` unchanged)
 * @throws Error when `data` is not a well-formed WebP file
 */
export function embedIccInWebp(data: Buffer, profile: Buffer): Buffer {
  const chunks = _chunks(data);
  if (chunks.some((c) => c.type === 'ICCP')) return data;
  const first = chunks[0];
  const iccp = _chunk('ICCP', profile);
  if (first?.type === 'VP8X') {
    if (first.size < VP8X_SIZE) {
      throw new Error(`Expected a VP8X chunk of ${VP8X_SIZE} bytes but received ${first.size}`);
    }
    const vp8xEnd = first.offset + 8 + first.size + (first.size & 1);
    const vp8x = Buffer.from(data.subarray(first.offset, vp8xEnd));
    vp8x.writeUInt8(vp8x.readUInt8(8) | ICC_FLAG, 8);
    return _riff([vp8x, iccp, data.subarray(vp8xEnd)]);
  }
  if (first?.type === 'VP8 ' || first?.type === 'VP8L') {
    const payload = data.subarray(first.offset + 8, first.offset + 8 + first.size);
    const canvas = first.type === 'VP8 ' ? _vp8Canvas(payload) : _vp8lCanvas(payload);
    return _riff([_vp8x(canvas, ICC_FLAG | (canvas.alpha ? ALPHA_FLAG : 0)), iccp, data.subarray(12)]);
  }
  throw new Error(
    `Expected a WebP file starting with VP8X, VP8 or VP8L but found ${first?.type ?? 'no chunk'}`,
  );
}

// ---- internal helpers ----

interface Chunk {
  type: string;
  /** Offset of the chunk header in the file. */
  offset: number;
  /** Payload size, without the pad byte. */
  size: number;
}

interface Canvas {
  width: number;
  height: number;
  alpha: boolean;
}

/** The file's chunks, checking the RIFF header, its size and that every chunk fits. */
function _chunks(data: Buffer): Chunk[] {
  if (
    data.length < 12 ||
    data.toString('latin1', 0, 4) !== 'RIFF' ||
    data.toString('latin1', 8, 12) !== 'WEBP'
  ) {
    throw new Error('Expected a RIFF WEBP file but the header does not match');
  }
  const riffSize = data.readUInt32LE(4);
  if (riffSize + 8 !== data.length) {
    throw new Error(`Expected a RIFF size of ${data.length - 8} (file length − 8) but received ${riffSize}`);
  }
  const chunks: Chunk[] = [];
  let offset = 12;
  while (offset < data.length) {
    if (offset + 8 > data.length) throw new Error(`Expected a chunk header at ${offset} but the file ends`);
    const size = data.readUInt32LE(offset + 4);
    const end = offset + 8 + size + (size & 1);
    if (end > data.length)
      throw new Error(`Expected a chunk of ${size} bytes at ${offset} but the file ends`);
    chunks.push({ type: data.toString('latin1', offset, offset + 4), offset, size });
    offset = end;
  }
  return chunks;
}

/** A chunk with its header and pad byte. */
function _chunk(type: string, payload: Buffer): Buffer {
  const chunk = Buffer.alloc(8 + payload.length + (payload.length & 1));
  chunk.write(type, 0, 'latin1');
  chunk.writeUInt32LE(payload.length, 4);
  payload.copy(chunk, 8);
  return chunk;
}

function _vp8x(canvas: Canvas, flags: number): Buffer {
  const payload = Buffer.alloc(VP8X_SIZE);
  payload.writeUInt8(flags, 0);
  payload.writeUIntLE(canvas.width - 1, 4, 3);
  payload.writeUIntLE(canvas.height - 1, 7, 3);
  return _chunk('VP8X', payload);
}

/** A lossy key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height. */
function _vp8Canvas(payload: Buffer): Canvas {
  if (payload.length < 10 || payload.readUIntBE(3, 3) !== 0x9d012a) {
    throw new Error('Expected a VP8 key frame but the start code does not match');
  }
  return { width: payload.readUInt16LE(6) & 0x3fff, height: payload.readUInt16LE(8) & 0x3fff, alpha: false };
}

/** A lossless bitstream: signature 0x2f, then 14 bits width − 1, 14 bits height − 1, 1 bit alpha. */
function _vp8lCanvas(payload: Buffer): Canvas {
  if (payload.length < 5 || payload.readUInt8(0) !== 0x2f) {
    throw new Error('Expected a VP8L bitstream but the signature does not match');
  }
  const bits = payload.readUInt32LE(1);
  return {
    width: (bits & 0x3fff) + 1,
    height: ((bits >>> 14) & 0x3fff) + 1,
    alpha: ((bits >>> 28) & 1) === 1,
  };
}

/** A RIFF WEBP file of these chunks. */
function _riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), ...chunks]);
  body.writeUInt32LE(body.length - 8, 4);
  return body;
}
