import sharp from 'sharp';
import { configureSharp } from '../shared/imaging/sharp-setup.js';
import { makePhoto } from './lib/images.js';

configureSharp();
const path = await makePhoto('/tmp/fast-micro.jpg', { width: 1264, height: 948 });
const jpg = await sharp(path).toBuffer();
const t = async (name: string, fn: () => Promise<unknown>) => {
  await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(
    name.padEnd(28),
    ((performance.now() - t0) / 5).toFixed(1),
    'ms wall',
    ((c.user + c.system) / 5000).toFixed(1),
    'ms cpu',
  );
};
const png1 = await sharp(jpg).png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer();
const raw = await sharp(jpg).raw().toBuffer();
const rawOpt = { raw: { width: 1264, height: 948, channels: 3 as const } };
await t('jpeg decode raw', () => sharp(jpg).raw().toBuffer());
await t('jpeg -> png1', () =>
  sharp(jpg).toColourspace('srgb').png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer(),
);
await t('jpeg -> png0', () => sharp(jpg).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer());
await t('png1 decode raw', () => sharp(png1).raw().toBuffer());
await t('png1 metadata', () => sharp(png1).metadata());
await t('raw -> png6', () =>
  sharp(raw, rawOpt).withIccProfile('srgb').png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer(),
);
await t('raw -> png1', () =>
  sharp(raw, rawOpt).withIccProfile('srgb').png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer(),
);
await t('raw -> webp85', () => sharp(raw, rawOpt).webp({ quality: 85, effort: 4 }).toBuffer());
await t('png1 -> webp85', () => sharp(png1).webp({ quality: 85, effort: 4 }).toBuffer());
await t('jpeg -> webp85 (script)', () =>
  sharp(jpg).rotate().linear([1.06, 1, 0.9], [0, 0, 0]).webp({ quality: 85 }).toBuffer(),
);
console.log(
  'png1 bytes',
  png1.length,
  'png6',
  (await sharp(raw, rawOpt).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer()).length,
  'png0',
  (await sharp(raw, rawOpt).png({ compressionLevel: 0 }).toBuffer()).length,
);
