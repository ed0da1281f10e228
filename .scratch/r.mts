import sharp from 'sharp';
import { separateSubject } from '../shared/engines/local/segment.js';
import { decodeFrame } from '../shared/engines/local/pixels.js';
import { maskIoU } from '../test/unit/engines/local/synthetic-products.js';
import { readFile } from 'node:fs/promises';
const m = await separateSubject(await decodeFrame(await sharp(await readFile('test/fixtures/images/logo.png')).flatten({background:'#fff'}).png().toBuffer()));
for (const r of [236,238,240,242,244,246]) { const d=Buffer.alloc(250000); for(let y=0;y<500;y++)for(let x=0;x<500;x++)d[y*500+x]=Math.hypot(x-249.5,y-249.5)<r?255:0; console.log(r, maskIoU(m.alpha,d).toFixed(4)); }
