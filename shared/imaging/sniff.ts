/**
 * Real file type from magic bytes. The file name and the declared content type
 * are never trusted: a `.jpg` full of text is text.
 */

/** Every format {@link sniffFormat} can recognise. */
export const SNIFFED_FORMATS = [
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'avif',
  'heif',
  'bmp',
  'svg',
  'pdf',
  'unknown',
] as const;

/** A format recognised from the first bytes of a file. */
export type SniffedFormat = (typeof SNIFFED_FORMATS)[number];

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
/** SVG and PDF headers may follow some leading whitespace or comments; look this far. */
const TEXT_PROBE_BYTES = 4096;

/**
 * Recognises an image format from its magic bytes.
 * @param bytes the whole file or at least its first few kilobytes
 * @returns the format, or `unknown` for anything else (text, random bytes, empty input)
 * @example sniffFormat(readFileSync('photo.jpg')) // 'jpeg'
 */
export function sniffFormat(bytes: Buffer): SniffedFormat {
  if (bytes.length < 4) return 'unknown';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  // BigTIFF
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b]))
    return 'tiff';
  if (ascii(bytes, 4, 8) === 'ftyp') return _isoBrand(bytes);
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return 'bmp';
  return _sniffText(bytes);
}

// ---- internal helpers ----

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.subarray(start, end).toString('latin1');
}

/** ISO base media (HEIF family): the major brand, then the compatible brands. */
function _isoBrand(bytes: Buffer): SniffedFormat {
  const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length, 4096);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIF_BRANDS.has(b))) return 'heif';
  return 'unknown';
}

/** PDF (`%PDF-` within the first kilobyte, per the spec's leniency) and SVG (an `<svg` root). */
function _sniffText(bytes: Buffer): SniffedFormat {
  const head = bytes.subarray(0, TEXT_PROBE_BYTES).toString('latin1');
  const pdfAt = head.indexOf('%PDF-');
  if (pdfAt >= 0 && pdfAt < 1024) return 'pdf';
  const trimmed = head.replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (!trimmed.startsWith('<')) return 'unknown';
  if (/<svg[\s>]/i.test(trimmed)) return 'svg';
  return 'unknown';
}
