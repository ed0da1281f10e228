import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGeminiEngine } from '../../shared/engines/gemini/index.js';
import { loadImage } from '../../shared/imaging/index.js';
import { startGeminiServer } from '../../test/support/gemini-server.js';
import { makePhoto } from '../lib/images.js';
import type { BenchRow } from '../lib/report.js';
import { median } from '../lib/stats.js';

/** Options of {@link measureRequestSize}. */
export interface RequestSizeOptions {
  workDir: string;
  runs: number;
}

const PROMPT = 'Replace the background with a sunlit kitchen counter; keep the cup unchanged.';

/**
 * 5. Bytes the Gemini engine sends for a 24 MP input (the image as the pipeline hands it over:
 * normalised by `loadImage`), counted as the request body the Gemini test server received,
 * against the naive request: the same body with the original file base64-encoded.
 */
export async function measureRequestSize(
  options: RequestSizeOptions,
): Promise<{ rows: BenchRow[]; details: unknown }> {
  const photo = await makePhoto(join(options.workDir, 'request-24mp.jpg'), { width: 6000, height: 4000 });
  const original = await readFile(photo);
  const server = await startGeminiServer();
  try {
    const engine = createGeminiEngine({
      env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url },
    });
    const loaded = await loadImage(original, { maxBytes: 50 * 2 ** 20, maxPixels: 50e6, minSide: 256 });
    const sent: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      await engine.edit({
        stage: { index: 1, name: 'edit', prompt: PROMPT, referenceCount: 0, params: { seed: 7 } },
        input: loaded.image,
        references: [],
      });
    }
    for (const call of server.calls) sent.push(Buffer.byteLength(JSON.stringify(call.body)));
    const first = server.calls[0];
    const image = first?.images[0];
    if (!first || !image || first.status !== 200) throw new Error('request-size: the engine call failed');
    const naiveBody = structuredClone(first.body) as {
      contents: { parts: { inlineData?: { mimeType: string; data: string } }[] }[];
    };
    for (const part of naiveBody.contents[0]?.parts ?? []) {
      if (part.inlineData) part.inlineData = { mimeType: 'image/jpeg', data: original.toString('base64') };
    }
    const naive = Buffer.byteLength(JSON.stringify(naiveBody));
    const bytes = median(sent);
    return {
      rows: [
        {
          measure: '5 request size',
          metric: `Gemini request body, 24 MP input (6000×4000, ${(original.length / 2 ** 20).toFixed(1)} MiB JPEG)`,
          value: bytes / 1024,
          unit: 'KiB',
          baseline: { label: 'naive (original file, base64)', value: naive / 1024, unit: 'KiB' },
          ratio: naive / bytes,
          target: '≥ 5× smaller',
          pass: naive / bytes >= 5,
          note: `sent ${image.width}×${image.height} ${image.mimeType} (${image.bytes} bytes before base64)`,
        },
      ],
      details: { sentBytes: sent, naiveBytes: naive, sentImage: { ...image, data: undefined } },
    };
  } finally {
    await server.close();
  }
}
