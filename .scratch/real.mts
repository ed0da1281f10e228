import sharp from 'sharp';
import { separateSubject } from '../shared/engines/local/segment.js';
import { decodeFrame } from '../shared/engines/local/pixels.js';
import { maskIoU } from '../test/unit/engines/local/synthetic-products.js';
import { readFile } from 'node:fs/promises';
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><rect width="600" height="400" fill="#000"/><ellipse cx="279" cy="229" rx="192" ry="150" fill="#fff"/><ellipse cx="290" cy="112" rx="112" ry="94" fill="#fff"/></svg>`;
const truth = await sharp(Buffer.from(svg)).extractChannel(0).blur(1.2).resize(480,320).raw().toBuffer();
for (const f of ['test/fixtures/local/product-on-white.png','examples/drop/products/espresso-cup.png']) {
  const m = await separateSubject(await decodeFrame(await readFile(f)));
  console.log(f, maskIoU(m.alpha, truth).toFixed(4));
}
const logo = await readFile('test/fixtures/images/logo.png');
const la = await sharp(logo).ensureAlpha().extractChannel(3).raw().toBuffer();
const flat = await sharp(logo).flatten({background:'#ffffff'}).png().toBuffer();
const m = await separateSubject(await decodeFrame(flat));
console.log('logo on white', maskIoU(m.alpha, la).toFixed(4), (await sharp(logo).metadata()).width);
const err = Buffer.alloc(500*500*3);
for (let i=0;i<500*500;i++){const x=m.alpha[i]>=128,y=la[i]>=128; if(x&&!y)err[i*3]=255; else if(!x&&y)err[i*3+1]=255; else err.fill(y?90:0,i*3,i*3+3)}
await sharp(err,{raw:{width:500,height:500,channels:3}}).png().toFile('/tmp/w20/logo-err.png');
console.log(m.tolerance, m.background);
