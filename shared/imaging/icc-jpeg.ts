/**
 * Inserting an ICC profile into an encoded JPEG file without re-encoding it: APP2
 * `ICC_PROFILE` marker segments (ICC.1 Annex B.4) after SOI and the leading APP0 (JFIF) and
 * APP1 (EXIF, XMP) segments, which is where libvips writes them.
 */

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const ICC_SIGNATURE = Buffer.from('ICC_PROFILE\0', 'latin1');
/** Segment length field (2) + signature (12) + sequence number and count (2). */
const ICC_HEADER = 2 + ICC_SIGNATURE.length + 2;
/** The most profile bytes one APP2 segment carries: its length field counts at most 65535. */
const ICC_SEGMENT_MAX = 0xffff - ICC_HEADER;

/**
 * The JPEG file with `profile` embedded; the file itself when it already has a profile.
 * @param data a complete JPEG file
 * @param profile the ICC profile bytes (split over up to 255 segments when larger than 64 KiB)
 * @returns a new buffer (or `data` unchanged)
 * @throws Error when `data` is not a well-formed JPEG up to its first scan
 */
export function embedIccInJpeg(data: Buffer, profile: Buffer): Buffer {
  const segments = _headerSegments(data);
  if (segments.some((s) => s.marker === APP2 && _isIccSegment(data, s))) return data;
  let insertAt = 2;
  for (const segment of segments) {
    if (segment.marker !== APP0 && segment.marker !== APP1) break;
    insertAt = segment.end;
  }
  return Buffer.concat([data.subarray(0, insertAt), ..._iccSegments(profile), data.subarray(insertAt)]);
}

// ---- internal helpers ----

interface Segment {
  marker: number;
  /** Offset of the payload (after the length field). */
  payload: number;
  /** Offset just past the segment. */
  end: number;
}

/** The marker segments before the first scan, checking that each fits and that a scan follows. */
function _headerSegments(data: Buffer): Segment[] {
  if (data.length < 4 || data.readUInt8(0) !== 0xff || data.readUInt8(1) !== SOI) {
    throw new Error('Expected a JPEG file starting with SOI (ff d8) but the header does not match');
  }
  const segments: Segment[] = [];
  let offset = 2;
  for (;;) {
    if (offset + 2 > data.length || data.readUInt8(offset) !== 0xff) {
      throw new Error(`Expected a JPEG marker at ${offset} before the first scan`);
    }
    let markerAt = offset + 1;
    while (markerAt < data.length && data.readUInt8(markerAt) === 0xff) markerAt++;
    const marker = data.readUInt8(markerAt);
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset = markerAt + 1;
      continue;
    }
    if (marker === 0x00 || marker === SOI || marker === EOI || markerAt + 3 > data.length) {
      throw new Error(`Expected a marker segment at ${offset} but found ff ${marker.toString(16)}`);
    }
    const length = data.readUInt16BE(markerAt + 1);
    const end = markerAt + 1 + length;
    if (length < 2 || end > data.length) {
      throw new Error(`Expected a segment of ${length} bytes at ${offset} but the file ends`);
    }
    if (marker === SOS) return segments;
    segments.push({ marker, payload: markerAt + 3, end });
    offset = end;
  }
}

function _isIccSegment(data: Buffer, segment: Segment): boolean {
  return data.subarray(segment.payload, segment.end).subarray(0, ICC_SIGNATURE.length).equals(ICC_SIGNATURE);
}

/** APP2 segments carrying the profile, numbered 1…n of n. */
function _iccSegments(profile: Buffer): Buffer[] {
  const count = Math.ceil(profile.length / ICC_SEGMENT_MAX);
  if (count < 1 || count > 255) {
    throw new Error(
      `Expected an ICC profile of 1 to ${255 * ICC_SEGMENT_MAX} bytes but received ${profile.length}`,
    );
  }
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = profile.subarray(i * ICC_SEGMENT_MAX, (i + 1) * ICC_SEGMENT_MAX);
    const segment = Buffer.alloc(2 + ICC_HEADER + part.length);
    segment.writeUInt8(0xff, 0);
    segment.writeUInt8(APP2, 1);
    segment.writeUInt16BE(ICC_HEADER + part.length, 2);
    ICC_SIGNATURE.copy(segment, 4);
    segment.writeUInt8(i + 1, 4 + ICC_SIGNATURE.length);
    segment.writeUInt8(count, 5 + ICC_SIGNATURE.length);
    part.copy(segment, 2 + ICC_HEADER);
    segments.push(segment);
  }
  return segments;
}
