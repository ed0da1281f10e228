import sharp from 'sharp';
import { separateSubject } from '../shared/engines/local/segment.js';
import { cutOut } from '../shared/engines/local/background.js';
import { SYNTHETIC_PRODUCTS, syntheticProduct, maskIoU, lightFringe } from '../test/unit/engines/local/synthetic-products.js';
const tiles: { input: Buffer; left: number; top: number }[] = [];
let k = 0;
for (const name of SYNTHETIC_PRODUCTS) {
  const p = await syntheticProduct(name);
  const { width: w, height: h } = p.frame;
  const src = await sharp(p.frame.data,{raw:{width:w,height:h,channels:p.frame.channels}}).removeAlpha().png().toBuffer();
  tiles.push({ input: src, left: 0, top: k * h });
  try {
    const m = await separateSubject(p.frame);
    const iou = maskIoU(m.alpha, p.truth);
    const cut = cutOut(p.frame, m);
    const out = Buffer.alloc(w*h*3); const err = Buffer.alloc(w*h*3);
    let fp=0, fn=0;
    for (let i=0;i<w*h;i++){const a=cut.data[i*4+3]/255;for(let c=0;c<3;c++)out[i*3+c]=Math.round(cut.data[i*4+c]*a+20*(1-a));
      const x=m.alpha[i]>=128, y=p.truth[i]>=128; if(x&&!y){fp++;err[i*3]=255} else if(!x&&y){fn++;err[i*3+1]=255} else {err.fill(y?90:0,i*3,i*3+3)} }
    tiles.push({ input: await sharp(out,{raw:{width:w,height:h,channels:3}}).png().toBuffer(), left: w, top: k*h });
    tiles.push({ input: await sharp(err,{raw:{width:w,height:h,channels:3}}).png().toBuffer(), left: 2*w, top: k*h });
    console.log(name, 'fringe', lightFringe(cut, p).toFixed(1), m.source, 'IoU', iou.toFixed(4), 'cov', m.coverage.toFixed(3), 'fp', fp, 'fn', fn);
  } catch (e) { console.log(name, 'ERR', (e as Error).message.slice(0,300)); }
  k++;
}
await sharp({create:{width:1200,height:300*k,channels:3,background:'#444'}}).composite(tiles).png().toFile('/tmp/w20/sheet.png');
