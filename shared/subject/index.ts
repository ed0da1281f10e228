/**
 * Subject separation, shared by the local engine, protected stages and the marketplace checks:
 * find the product against a plain background or its alpha (`separateSubject`), the colour
 * distance it is measured with, and the plane and matte helpers around a mask.
 * See docs/local-engine.md ("Subject separation").
 */
export { colourDistance } from './colour-distance.js';
export { NO_COLOUR, nearestOpaque } from './matte.js';
export { transformPlane } from './plane.js';
export { type SubjectMask, separateSubject } from './segment.js';
