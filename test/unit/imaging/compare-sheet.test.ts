import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ComparePanel } from '../../../shared/imaging/compare-sheet.js';
import { renderCompareSheet, shortCaption } from '../../../shared/imaging/index.js';
import { near, pixelAt, solid } from './pixels.js';

async function panel(label: string, width: number, height: number, colour: string): Promise<ComparePanel> {
  return {
    label,
    caption: `make it ${colour}`,
    image: { data: await solid(width, height, colour), mimeType: 'image/png', width, height },
  };
}

describe('renderCompareSheet', () => {
  it('lays the panels out in order at a common height, labelled underneath', async () => {
    const panels = [
      await panel('original', 200, 100, '#ff0000'),
      await panel('1 · background', 100, 100, '#00ff00'),
      await panel('final', 50, 100, '#0000ff'),
    ];
    const sheet = await renderCompareSheet(panels, { panelHeight: 128 });
    const meta = await sharp(sheet).metadata();
    expect(meta.format).toBe('jpeg');
    // 8 px gaps around and between panels; a 56 px label strip below them.
    expect([meta.width, meta.height]).toEqual([256 + 128 + 64 + 8 * 4, 128 + 56 + 16]);
    const centres = [8 + 128, 8 + 256 + 8 + 64, 8 + 256 + 8 + 128 + 8 + 32];
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    for (const [i, x] of centres.entries()) {
      expect(near(await pixelAt(sheet, x, 72), colours[i] ?? [], 40)).toBe(true);
    }
    const { data } = await sharp(sheet)
      .extract({ left: 8, top: 8 + 128, width: 256, height: 56 })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeLessThan(100);
  });

  it('uses 512 px panels by default', async () => {
    const sheet = await renderCompareSheet([await panel('original', 64, 64, '#808080')]);
    expect((await sharp(sheet).metadata()).height).toBe(512 + 56 + 16);
  });

  it('refuses an empty list', async () => {
    await expect(renderCompareSheet([])).rejects.toThrow(/at least one panel/);
  });
});

describe('shortCaption', () => {
  it('keeps short prompts and cuts long ones at a word', () => {
    expect(shortCaption('  warm\n light  ')).toBe('warm light');
    const long =
      'Replace the background with a sunlit kitchen counter, keep the mug and its handle unchanged';
    const short = shortCaption(long);
    expect(short.length).toBeLessThanOrEqual(60);
    expect(short).toMatch(/^Replace the background with a sunlit kitchen counter, keep.*…$/);
  });
});
