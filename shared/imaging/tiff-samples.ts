/** TIFF SampleFormat values (tag 339) that libvips' sRGB pipeline cannot take: IEEE float, complex. */
const UNDECODABLE_SAMPLE_FORMATS = new Set([3, 5, 6]);
const SAMPLE_FORMAT_TAG = 339;
const SHORT = 3;

/**
 * Reads the first IFD of a TIFF for a floating-point or complex SampleFormat. The decoder's own
 * error says so too, but libvips keeps one error buffer for the whole process, so under concurrent
 * failures that text can be another image's: this answer comes from the file's own bytes.
 * @returns true when the first image stores floating-point or complex samples
 */
export function tiffHasFloatSamples(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  const order = bytes.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return false;
  const le = order === 'II';
  const u16 = (at: number) => (le ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  if (u16(2) !== 42) return false;
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) return false;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > bytes.length) return false;
    if (u16(entry) !== SAMPLE_FORMAT_TAG || u16(entry + 2) !== SHORT) continue;
    const count = u32(entry + 4);
    const at = count <= 2 ? entry + 8 : u32(entry + 8);
    return at + 2 <= bytes.length && UNDECODABLE_SAMPLE_FORMATS.has(u16(at));
  }
  return false;
}
