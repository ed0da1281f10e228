/**
 * The bad-input gauntlet: every way an upload can be broken or hostile, from the corpus in
 * `test/fixtures/bad/` plus generated sidecars and references, with what the pipeline must
 * make of it. Each case lives in a folder of its own in the drop bucket.
 */
import type { Config } from '../../../shared/config.js';
import type { ErrorCode } from '../../../shared/errors.js';
import { type BadInput, readBadFixture } from '../../fixtures/index.js';

/** What a case must end as. */
export type Expected =
  | { kind: 'failed'; code: ErrorCode; message: RegExp }
  | {
      kind: 'succeeded';
      /** A warning the manifest must carry. */
      warning?: RegExp;
      /** Width × height of `final.jpg` (orientation applied, no resize). */
      size?: [number, number];
    };

/** One gauntlet case. */
export interface TestData {
  /** Folder of the case in the drop bucket (unique). */
  name: string;
  why: string;
  /** Files dropped into the folder; objects are serialized as JSON. */
  files: Record<string, Buffer | string | object>;
  /** Files written into the folder with the pipeline's output marker. */
  outputs?: Record<string, Buffer>;
  /** Arrivals delivered in order; the first decides the job, the others must agree. */
  arrive: string[];
  /** Limits that differ from the defaults for this case. */
  limits?: Partial<Config['limits']>;
  expected: Expected;
}

const PROMPT = { prompt: 'make it warmer' };
const bad = (file: BadInput) => readBadFixture(file);

/** An image case: `in.<ext>` from the corpus with a good sidecar, delivered as the image arrives. */
function image(
  name: string,
  file: BadInput,
  why: string,
  expected: Expected,
  limits?: Partial<Config['limits']>,
): TestData {
  const ext = file.slice(file.lastIndexOf('.'));
  return {
    name,
    why,
    files: { [`in${ext}`]: bad(file), 'in.json': PROMPT },
    arrive: [`in${ext}`],
    expected,
    ...(limits ? { limits } : {}),
  };
}

/** A sidecar case: a good photo with the given sidecar, delivered as the sidecar arrives. */
function request(name: string, why: string, sidecar: Buffer | string | object, expected: Expected): TestData {
  return { name, why, files: { 'in.png': GOOD, 'in.json': sidecar }, arrive: ['in.json'], expected };
}

const failed = (code: ErrorCode, message: RegExp): Expected => ({ kind: 'failed', code, message });
const refused = (message: RegExp): Expected => failed('REFERENCE_INVALID', message);

/** A good 300×300 image (the corpus's palette PNG, which normalises cleanly). */
const GOOD = bad('palette.png');

/** Every case of the gauntlet. */
export const CASES: TestData[] = [
  image('empty', 'empty.jpg', 'an empty file', failed('IMAGE_EMPTY', /empty \(0 bytes\)/)),
  image('text', 'text.jpg', 'text named .jpg', failed('IMAGE_NOT_AN_IMAGE', /not an image.*Upload a JPEG/)),
  image('random', 'random.bin', 'random bytes', failed('IMAGE_NOT_AN_IMAGE', /not an image/)),
  image(
    'svg',
    'drawing.svg',
    'an SVG',
    failed('IMAGE_UNSUPPORTED_FORMAT', /SVG files are refused, never rendered/),
  ),
  image('svg-as-png', 'drawing-named.png', 'an SVG named .png', failed('IMAGE_UNSUPPORTED_FORMAT', /SVG/)),
  image('pdf', 'document.pdf', 'a PDF', failed('IMAGE_UNSUPPORTED_FORMAT', /PDF files are refused/)),
  image('bmp', 'bitmap.bmp', 'a BMP', failed('IMAGE_UNSUPPORTED_FORMAT', /BMP is not supported.*Convert/)),
  image('cut-jpeg', 'truncated.jpg', 'a truncated JPEG', failed('IMAGE_CORRUPT', /truncated or corrupt/)),
  image('cut-png', 'truncated.png', 'a PNG cut in half', failed('IMAGE_CORRUPT', /truncated or corrupt/)),
  image(
    'float-tiff',
    'multipage_rgb.tif',
    'a 64-bit float TIFF',
    failed('IMAGE_UNSUPPORTED_FORMAT', /Re-save/),
  ),
  image('bomb', 'bomb.png', 'a 30000×30000 bomb', failed('IMAGE_TOO_MANY_PIXELS', /30000×30000.*Downscale/)),
  image('tiny', 'tiny.png', 'a 32×32 image', failed('IMAGE_TOO_SMALL', /MIN_INPUT_SIDE.*Upscale it first/)),
  image('tiny-gif', 'no_time_for_that_tiny.gif', 'a 14×25 animation', failed('IMAGE_TOO_SMALL', /14×25/)),
  image('bytes', 'cmyk.jpg', 'over MAX_INPUT_BYTES', failed('IMAGE_TOO_LARGE', /MAX_INPUT_BYTES/), {
    maxInputBytes: 1_000,
  }),
  image('pixels', 'rgba.png', 'over MAX_INPUT_PIXELS', failed('IMAGE_TOO_MANY_PIXELS', /MAX_INPUT_PIXELS/), {
    maxInputPixels: 10_000,
  }),
  image(
    'animated-gif',
    'no_time_for_that_tiny.gif',
    'an animated GIF: first frame, with a warning',
    { kind: 'succeeded', warning: /animated GIF: only the first of 24 frames is used/, size: [14, 25] },
    { minInputSide: 8 },
  ),
  image('animated-webp', 'animated.webp', 'an animated WebP', {
    kind: 'succeeded',
    warning: /animated WEBP: only the first of 3 frames/,
  }),
  image('pages', 'multipage.tif', 'a three-page TIFF', {
    kind: 'succeeded',
    warning: /multi-page TIFF: only the first of 3 pages/,
  }),
  image(
    'deep',
    'chessboard_GRAY_U16.tif',
    'a 16-bit greyscale TIFF',
    { kind: 'succeeded', warning: /reduced to 8 bits/ },
    { minInputSide: 128 },
  ),
  image('cmyk', 'cmyk.jpg', 'a CMYK JPEG', { kind: 'succeeded', warning: /CMYK converted to sRGB/ }),
  image('grey', 'grey.jpg', 'a greyscale JPEG', { kind: 'succeeded' }),
  image('palette', 'palette.png', 'a palette PNG', { kind: 'succeeded' }),
  image('alpha', 'rgba.png', 'a PNG with alpha', { kind: 'succeeded' }),
  image('rotated', 'orientation-6.jpg', 'EXIF orientation 6 (stored 400×300)', {
    kind: 'succeeded',
    size: [300, 400],
  }),
  image('p3', 'display-p3.jpg', 'a Display P3 JPEG', { kind: 'succeeded' }),
  image('gps', 'gps-exif.jpg', 'GPS in EXIF', { kind: 'succeeded' }),

  request(
    'not-json',
    'a sidecar that is not JSON',
    '{ "prompt": "warmer", }',
    failed('REQUEST_NOT_JSON', /not valid JSON/),
  ),
  request(
    'not-utf8',
    'a sidecar that is not UTF-8',
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    failed('REQUEST_NOT_JSON', /UTF-8/),
  ),
  request(
    'huge-sidecar',
    'a sidecar over MAX_REQUEST_BYTES',
    { prompt: 'make it warmer', labels: { note: 'x'.repeat(70_000) } },
    failed('REQUEST_TOO_LARGE', /MAX_REQUEST_BYTES/),
  ),
  request(
    'version',
    'an unknown version',
    { version: 2, ...PROMPT },
    failed('REQUEST_INVALID', /version: must be 1/),
  ),
  request(
    'typo',
    'an unknown field (a typo)',
    { ...PROMPT, seeed: 4 },
    failed('REQUEST_INVALID', /unknown field "seeed" \(check the spelling\)/),
  ),
  request(
    'stages',
    'eleven stages',
    { stages: Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, ...PROMPT })) },
    failed('REQUEST_INVALID', /stages: must have at most 10 stages/),
  ),
  request(
    'references',
    'fourteen references',
    { ...PROMPT, references: Array.from({ length: 14 }, (_, i) => `_lib/r${i}.png`) },
    failed('REQUEST_INVALID', /references: must have at most 13 images/),
  ),
  request(
    'long-prompt',
    'a 2001-character prompt',
    { prompt: 'a'.repeat(2001) },
    failed('REQUEST_INVALID', /prompt: must be 1–2000 characters/),
  ),
  request(
    'engine',
    'an unknown engine',
    { ...PROMPT, engine: 'dalle' },
    failed('ENGINE_UNKNOWN', /"dalle" is not available/),
  ),
  request(
    'missing-ref',
    'a reference that does not exist',
    { ...PROMPT, references: ['_lib/nothing.png'] },
    failed('REFERENCE_MISSING', /_lib\/nothing\.png" does not exist/),
  ),
  request('dotdot', 'a reference with ..', { ...PROMPT, references: ['../in.png'] }, refused(/\.\./)),
  request(
    'absolute',
    'an absolute reference',
    { ...PROMPT, references: ['/etc/passwd'] },
    refused(/relative/),
  ),
  request(
    'url',
    'an https reference',
    { ...PROMPT, references: ['https://example.com/x.png'] },
    refused(/relative/),
  ),
  request(
    'file-url',
    'a file: reference',
    { ...PROMPT, references: ['file:///etc/passwd'] },
    refused(/relative/),
  ),
  request(
    'gs-other',
    'a gs:// bucket not on the allow-list',
    { ...PROMPT, references: ['gs://someone-else/x.png'] },
    refused(/REFERENCE_BUCKETS/),
  ),
  request(
    'self',
    'the sidecar as its own reference',
    { ...PROMPT, references: ['in.json'] },
    refused(/itself/),
  ),
  request(
    'sidecar-ref',
    'another sidecar as a reference',
    { ...PROMPT, references: ['other.json'] },
    refused(/a sidecar, not an image/),
  ),
  {
    name: 'json-ref',
    why: 'a JSON file in a library folder as a reference',
    files: {
      'in.png': GOOD,
      'in.json': { ...PROMPT, references: ['_lib/other.json'] },
      '_lib/other.json': PROMPT,
    },
    arrive: ['in.json'],
    expected: refused(/a JSON file \(a request\), not an image/),
  },
  {
    name: 'output-ref',
    why: 'an output of the pipeline as a reference',
    files: { 'in.png': GOOD, 'in.json': { ...PROMPT, references: ['_lib/made.png'] } },
    outputs: { '_lib/made.png': GOOD },
    arrive: ['in.json'],
    expected: failed('REFERENCE_INVALID', /output of the pipeline/),
  },
  {
    name: 'output-image',
    why: 'a sidecar naming an output of the pipeline as its image',
    files: { 'in.json': { ...PROMPT, image: 'made.png' } },
    outputs: { 'made.png': GOOD },
    arrive: ['in.json'],
    expected: failed('REFERENCE_INVALID', /an output of the pipeline, not an input image/),
  },
  request(
    'image-self',
    'a sidecar naming itself as the image',
    { ...PROMPT, image: 'in.json' },
    refused(/a sidecar/),
  ),
  request('image-dotdot', 'a sidecar image with ..', { ...PROMPT, image: '../x.png' }, refused(/\.\./)),
  {
    name: 'ambiguous',
    why: 'two images match a sidecar that names none',
    files: { 'in.png': GOOD, 'in.jpg': bad('grey.jpg'), 'in.json': PROMPT },
    arrive: ['in.json', 'in.png', 'in.jpg'],
    expected: failed('REFERENCE_INVALID', /several files match the sidecar.*name one with "image"/),
  },
  {
    name: 'good-1',
    why: 'a good job among the bad',
    files: { 'in.png': GOOD, 'in.json': PROMPT },
    arrive: ['in.png'],
    expected: { kind: 'succeeded' },
  },
  {
    name: 'good-2',
    why: 'a good two-stage job among the bad',
    files: { 'in.jpg': bad('grey.jpg'), 'in.json': { stages: [PROMPT, { prompt: 'black and white' }] } },
    arrive: ['in.json'],
    expected: { kind: 'succeeded' },
  },
];
