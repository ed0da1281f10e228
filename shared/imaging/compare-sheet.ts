import sharp, { type OverlayOptions } from 'sharp';
import type { EngineImage } from '../engines/engine.js';
import { imagePipeline } from './image-source.js';
import { configureSharp } from './sharp-setup.js';

/** One column of a before/after sheet. */
export interface ComparePanel {
  /** e.g. `original`, `1 · background`, `final`. */
  label: string;
  /** Usually the stage prompt; shortened to {@link CAPTION_MAX_CHARS}. */
  caption: string;
  image: EngineImage;
}

/** Layout of a compare sheet. */
export interface CompareSheetOptions {
  /** Height every panel is scaled to. Default 512. */
  panelHeight?: number;
  /** JPEG quality. Default 82. */
  quality?: number;
}

/** Captions longer than this are cut at a word boundary and end with `…`. */
export const CAPTION_MAX_CHARS = 60;
const GAP = 8;
const LABEL_HEIGHT = 56;
const BACKGROUND = '#ffffff';

/**
 * Renders a before/after sheet: the panels side by side, in order, each scaled to a common
 * height with its label and a short caption underneath. Labels are SVG text drawn with a
 * generic font family; if text cannot be rendered the sheet is still produced, unlabelled.
 * @param panels original, each stage, final — in that order
 * @param options panel height and JPEG quality
 * @returns JPEG bytes
 * @throws Error when there are no panels
 * @example await renderCompareSheet([{ label: 'original', caption: '', image: source }, { label: 'final', caption: prompt, image: result }])
 */
export async function renderCompareSheet(
  panels: ComparePanel[],
  options: CompareSheetOptions = {},
): Promise<Buffer> {
  if (panels.length === 0)
    throw new Error('Expected at least one panel for a compare sheet but received none');
  configureSharp();
  const panelHeight = options.panelHeight ?? 512;
  const widths = panels.map((p) => Math.max(1, Math.round((p.image.width * panelHeight) / p.image.height)));
  const totalWidth = widths.reduce((a, w) => a + w, 0) + GAP * (panels.length + 1);
  const totalHeight = panelHeight + LABEL_HEIGHT + GAP * 2;

  const layers: OverlayOptions[] = [];
  let left = GAP;
  for (const [i, panel] of panels.entries()) {
    const width = widths[i] ?? 1;
    // Raw pixels, not PNG: the composite would only decode them again (~25% of the sheet's CPU).
    // From the pixels the loader or the engine already decoded, when the image carries them.
    const { data, info } = await imagePipeline(panel.image)
      .resize(width, panelHeight, { fit: 'fill' })
      .flatten({ background: BACKGROUND })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    layers.push({ input: data, raw, left, top: GAP });
    const label = await _labelStrip(panel, width);
    if (label) layers.push({ input: label, left, top: GAP + panelHeight });
    left += width + GAP;
  }
  return sharp({ create: { width: totalWidth, height: totalHeight, channels: 3, background: BACKGROUND } })
    .composite(layers)
    .jpeg({ quality: options.quality ?? 82 })
    .toBuffer();
}

/**
 * Shortens a prompt for a caption: whitespace collapsed, cut at a word boundary.
 * @example shortCaption('Replace the background with a sunlit kitchen counter, keep the mug unchanged') // 'Replace the background with a sunlit kitchen counter, keep…'
 */
export function shortCaption(text: string, max = CAPTION_MAX_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

// ---- internal helpers ----

/** The label strip of one panel as PNG, or undefined if text cannot be rendered here. */
async function _labelStrip(panel: ComparePanel, width: number): Promise<Buffer | undefined> {
  // Narrow panels get fewer characters so the caption stays inside its column.
  const chars = Math.max(8, Math.min(CAPTION_MAX_CHARS, Math.floor(width / 7)));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL_HEIGHT}">`,
    `<text x="4" y="20" font-family="sans-serif" font-size="16" font-weight="bold" fill="#111">${_xml(shortCaption(panel.label, chars))}</text>`,
    `<text x="4" y="42" font-family="sans-serif" font-size="13" fill="#444">${_xml(shortCaption(panel.caption, chars))}</text>`,
    '</svg>',
  ].join('');
  try {
    return await sharp(Buffer.from(svg)).png().toBuffer();
  } catch {
    return undefined;
  }
}

function _xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
