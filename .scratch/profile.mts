import { separateSubject } from '../shared/engines/local/segment.js';
import { cutOut } from '../shared/engines/local/background.js';
import { syntheticProduct } from '../test/unit/engines/local/synthetic-products.js';
const p = await syntheticProduct(process.argv[2] as any);
const y = Number(process.argv[3]); const x0 = Number(process.argv[4]);
const m = await separateSubject(p.frame);
const cut = cutOut(p.frame, m);
const ch = p.frame.channels;
for (let x = x0; x < x0 + 10; x++) { const i = y*p.frame.width+x; console.log(x, 'I', p.frame.data[i*ch], 'truth', p.truth[i], 'alpha', m.alpha[i], 'cut', cut.data[i*4], cut.data[i*4+1], cut.data[i*4+2]); }
